/** `webcard job` and `webcard station`: declarations only; the implementations (commands/job.ts, station.ts) are imported lazily. */
import type { CAC } from "cac";
import { run } from "../context.ts";
import type { JobFlags } from "../commands/job.ts";
import type { StationFlags } from "../commands/station.ts";

export function register(cli: CAC): void {
  registerStation(cli);
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

export function registerStation(cli: CAC): void {
  cli
    .command("station <job>", "Run a provisioning job on every card put in the readers, all readers at once, until stopped (docs/jobs.md)")
    .option("--readers <pattern>", "Only the readers whose name contains PATTERN (* matches anything; default every reader)")
    .option("--db <file>", "The job's record, a SQLite file (default JOB.record.sqlite beside the job)")
    .option("--queue <url>", "postgres://... : data rows and record in PostgreSQL, shared by several stations")
    .option("--station <name>", "This station's name in the record (default host:pid)")
    .option("--timeout <s>", "Time limit of one card command, in seconds (default 30)")
    .option("--ui", "Also serve the dashboard with the station view (/station: the rack, counts, rate, last failures, start and pause) on 127.0.0.1")
    .option("--port <n>", "The dashboard's port with --ui (default: a free one)")
    .example("webcard station batch7.toml --readers 'ACS*'")
    .example("webcard station batch7.toml --queue postgres://station@db.example/batch7 --json")
    .action((job: string, flags: StationFlags) =>
      run(flags, async (ctx) => {
        const { stationCommand } = await import("../commands/station.ts");
        await stationCommand(ctx, job, flags);
      }),
    );
}
