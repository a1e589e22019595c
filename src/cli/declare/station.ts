/** `webcard job` and `webcard station`: declarations only; the implementations (commands/job.ts, station.ts) are imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import type { JobFlags } from "../commands/job.ts";

export function register(cli: CAC): void {
  cli
    .command("job <action> <file>", "A provisioning job (docs/jobs.md): 'job check JOB' reads the job file and all it names, one line per mistake; 'job verify JOB' checks its record's hash chain; 'job report JOB' prints the record")
    .option("--db <file|url>", "The job's record: a SQLite file (default JOB.sqlite beside the job) or postgres://... (the queue stations share)")
    .option("--csv", "job report: the record as CSV")
    .example("webcard job check batch7.toml")
    .example("webcard job report batch7.toml --csv > batch7.csv")
    .action((action: string, file: string, flags: JobFlags) =>
      run(flags, async (ctx) => {
        const { jobCommand } = await import("../commands/job.ts");
        await jobCommand(ctx, action, file, flags);
      }),
    );
}
