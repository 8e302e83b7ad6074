import type { NetpeekCommand } from '../src/deps.js';
import { UserError } from '../src/core/errors.js';
import { listingAnswer, reportAnswer } from '../src/reports/report-answer.js';

export const report: NetpeekCommand = {
  name: 'report',
  aliases: ['reports'],
  summary: 'Scheduled reachability reports: list them with next run and last verdict, or run one now',
  args: [{ name: '<report>', required: false }],
  flags: ['once'],
  examples: ['report', 'report cluster-reachability', 'report cluster-reachability --once --json'],
  subject: { role: 'about', kind: 'report' },
  sendsPackets: 'always',
  probeKinds: ['icmp', 'tcp', 'http'],
  description:
    'Reports are defined in the YAML file NETPEEK_REPORTS_FILE (see deploy/reports.example.yaml) and posted to their channel on their cron schedule by `netpeek serve`. ' +
    '`report` lists them with their next run and last verdict, and says why a definition was refused. ' +
    '`report <name>` (in a terminal also `report <name> --once`) runs one now: it probes every target from its host, compares with the last stored run, and shows the result here — it is neither posted to the channel nor stored.',
  async run(query, deps) {
    const catalog = deps.reports;
    const name = query.args[0];
    if (!name) {
      if (query.flags.once) throw new UserError('--once runs one report: name it.', ['Example: report cluster-reachability --once']);
      return listingAnswer(await catalog.list());
    }
    return reportAnswer(await catalog.runNow(name), { posted: false });
  },
};
