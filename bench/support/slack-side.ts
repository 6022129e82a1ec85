/**
 * `tsx bench/support/slack-side.ts --secret <s> --token <t>`: the Slack side of the slack-ack bench
 * in its own process: the loopback workspace and the load generator (signed slash commands and
 * button clicks). The bot under test runs in another process, so what is measured is the bot's
 * ack time, not the generator's CPU. Prints one JSON line `{workspace, control}` when ready; POST
 * `{botUrl, requests, concurrency}` to `control` runs the load and answers with the latencies.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSlackWorkspace } from '../../adapters/local/slack-workspace';

function option(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const workspace = await startSlackWorkspace({ signingSecret: option('secret'), botToken: option('token') });
  const { client, state } = workspace;

  const approvers = ['U0ANN', 'U0BOB', 'U0CARL', 'U0OLGA'];
  const commands = [
    'help',
    'list',
    'approvals',
    'why prod AdministratorAccess',
    'accounts prod',
    'request sandbox ReadOnlyAccess 1h bench',
  ];

  /** One of each delivery by each person, as a bot that has been running a while has seen. */
  async function warmUp(botUrl: string) {
    client.botUrl = botUrl;
    const post = state.channelMessages('C0APPROVALS')[0];
    for (const user of [...approvers, 'U0RITA']) {
      for (const c of commands) await client.send({ body: client.commandForm(user, c) });
      if (post && user !== 'U0BOB' && user !== 'U0CARL')
        await client.clickInMessage(user, post.channel, post.ts, 'approve_request');
    }
    return { latencies: [], errors: 0, wallMs: 0 };
  }

  async function run(botUrl: string, requests: number, concurrency: number) {
    client.botUrl = botUrl;
    const posts = state.channelMessages('C0APPROVALS');
    const deliveries: (() => Promise<{ status: number; ms: number }>)[] = [];
    for (let i = 0; i < requests; i++) {
      const user = approvers[(i >> 1) % approvers.length]!;
      if (i % 2 === 0 || posts.length === 0) {
        const body = client.commandForm(i % 10 === 0 ? 'U0RITA' : user, commands[(i >> 1) % commands.length]!);
        deliveries.push(() => client.send({ body }));
      } else {
        // Clicks that leave the requests pending, so the buttons stay: Ann approves (then double
        // clicks), Olga is refused (not an approver), Rita is refused (her own request).
        const post = posts[(i >> 1) % posts.length]!;
        const clicker = ['U0ANN', 'U0OLGA', 'U0RITA'][(i >> 1) % 3]!;
        deliveries.push(() => client.clickInMessage(clicker, post.channel, post.ts, 'approve_request'));
      }
    }
    const latencies: number[] = [];
    const why: Record<string, number> = {};
    let errors = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < deliveries.length) {
          const deliver = deliveries[next++]!;
          try {
            const answer = await deliver();
            latencies.push(answer.ms);
            if (answer.status !== 200) {
              errors++;
              why[answer.status] = (why[answer.status] ?? 0) + 1;
            }
          } catch (error) {
            errors++;
            const key =
              error instanceof Error
                ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`
                : String(error);
            why[key] = (why[key] ?? 0) + 1;
          }
        }
      }),
    );
    return { latencies, errors, why, wallMs: performance.now() - started };
  }

  const control = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const {
        botUrl,
        requests,
        concurrency,
        warmUp: warm,
      } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        botUrl: string;
        requests: number;
        concurrency: number;
        warmUp?: boolean;
      };
      (warm ? warmUp(botUrl) : run(botUrl, requests, concurrency)).then(
        (result) =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ...result, calls: state.calls.length })),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  console.log(
    JSON.stringify({
      workspace: workspace.url,
      control: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    }),
  );
  const stop = () => {
    control.close();
    void workspace.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
