/**
 * What a technician waits for on each real card: the 22 KB fixture (jcalgtest
 * AlgTest 1.7.4) installed on every card profile with `--timing` set to the
 * profile's own figures (docs/profiles.md), by every path the profile takes
 * (gp and bridge; web on gp23, the one card with the link), with the APDUs
 * the terminal sent and those that crossed the wire (T=0 adds GET RESPONSE).
 * In-process: the modelled card time dwarfs the transport (pcscd + vpcd adds
 * about 0.1 ms an APDU, see the PC/SC section). The cards wait on timers, not
 * the CPU, so the profiles run side by side.
 *   bun bench/profiles.ts
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createWebCard } from "../src/card/link/with-link.ts";
import { inProcessTransport } from "../src/card/in-process.ts";
import { shippedProfiles } from "../src/card/profiles/catalogue.ts";
import type { CardProfile } from "../src/card/profiles/profile.ts";
import type { VirtualCard } from "../src/card/virtual-card.ts";
import { parseLoadFile } from "../src/stack/cap/load-file.ts";
import { withIsoResponses } from "../src/stack/transport/get-response.ts";
import { wrap } from "../src/stack/transport/transport.ts";
import { installCap, type InstallPath } from "../src/host/loader/install-paths.ts";
import { connectFor, pathsOf } from "../tests/card/profile-runs.ts";
import { machine, writeResult } from "./report.ts";

const ALGTEST = "jcalgtest_AlgTest_v1.7.4_jc222.cap";
const cap = parseLoadFile(readFileSync(resolve(import.meta.dir, "../../shared/fixtures/cap", ALGTEST)), ALGTEST);

interface Row {
  profile: CardProfile;
  via: InstallPath;
  bitRate: number;
  seconds: number;
  /** Commands the terminal sent (after GET RESPONSE and Le correction are folded in). */
  terminal: number;
  /** Commands that reached the card: T=0 GET RESPONSE and resent commands included. */
  wire: number;
  refused?: string;
}

/** The card, counting what reaches it. */
function counted(card: VirtualCard): { card: VirtualCard; count: () => number } {
  let n = 0;
  return {
    card: { ...card, process: (c) => (n++, card.process(c)) },
    count: () => n,
  };
}

async function installOn(profile: CardProfile, via: InstallPath): Promise<Row> {
  const sim = createWebCard({ profile, timing: profile.name });
  const wire = counted(sim);
  let terminal = 0;
  const raw = inProcessTransport(wire.card, { extendedLength: profile.protocol === "T=1" });
  const iso = withIsoResponses(raw);
  const transport = wrap(iso, (c) => (terminal++, iso.transmit(c)));
  const start = performance.now();
  const row: Row = { profile, via, bitRate: sim.timing!.bitRate, seconds: 0, terminal: 0, wire: 0 };
  try {
    await installCap(transport, cap, {}, { via, connect: connectFor(profile) });
  } catch (error) {
    row.refused = (error as Error).message;
  }
  row.seconds = Math.round((performance.now() - start) / 100) / 10;
  row.terminal = terminal;
  row.wire = wire.count();
  sim.close();
  return row;
}

// Cards that cannot take the fixture (Java Card 2.2.1: javacard.framework 1.2 < 1.3) refuse it: their row says so.
const jobs = shippedProfiles().flatMap((p) => pathsOf(p).map((via) => installOn(p, via)));
const rows = await Promise.all(jobs);

writeResult("profiles", {
  title: "Real-card timing: the 22 KB install on each card profile",
  command: "bun bench/profiles.ts",
  date: new Date().toISOString(),
  machine: machine(),
  columns: ["profile", "T", "bit/s", "path", "seconds", "APDUs (terminal)", "APDUs (wire)"],
  rows: rows.map((r) => [r.profile.name, r.profile.protocol.slice(2), r.bitRate, r.via, r.refused ? `refused (${r.refused.slice(0, 60)})` : r.seconds, r.terminal, r.wire]),
  notes: [
    `${ALGTEST} (21,870-byte load file data block), installCap by each path on an in-process card made with \`--profile NAME --timing NAME\` (src/card/profiles/timing.ts): each command waits the profile's fixed cost (its \`timing.apduMs\`, or \`byIns\` for INITIALIZE UPDATE, PUT KEY, SELECT... where the traces show slower ones), plus its bytes at the card's bit rate (ATR TA1 at 3.5712 MHz, 11 etu a byte on T=1 and 12 on T=0; contactless 106 kbit/s), plus the profile's \`loadByteMs\` for each LOAD data byte. The figures and their sources are in each profile's \`timing\` (REAL-CARDS.md appendix B and the card's section).`,
    "One run per row: the time is the model's, the host's own work adds a few tens of ms. SELECT, authentication, the registry look-up, INSTALL [for load], every LOAD and INSTALL are counted; \"wire\" adds what T=0 costs (61xx then GET RESPONSE, 6Cxx then the command again).",
    "Cards whose Java Card release lacks javacard.framework 1.3 (sce32, sysmo-usim, nokia-6131: Java Card 2.2.1) refuse the file, as the card says; their time is until the refusal.",
    "The bit rate is most of it on slow cards: T=0 cards without TA1 run at 9600 bit/s, so 22 KB take some 27 s on the wire alone, against about 2 s at JCOP4's 115,200.",
  ],
  chart: {
    title: "22 KB install by card profile and path, with --timing (s)",
    unit: "s",
    series: (["gp", "bridge", "web"] as const).map((via) => ({
      label: via,
      values: rows.filter((r) => r.via === via && !r.refused).map((r) => ({ label: r.profile.name, value: r.seconds })),
    })).filter((s) => s.values.length > 0),
  },
});
process.stdout.write(rows.map((r) => `${r.profile.name} ${r.via}: ${r.refused ? "refused" : `${r.seconds} s`}, ${r.terminal}/${r.wire} APDUs`).join("\n") + "\n");
process.exit(0);
