/**
 * `tsx bench/support/slack-side.ts --secret <s> --token <t>`: the Slack side of the slack-ack bench
 * in its own process: the loopback workspace and the load generator (signed slash commands and
 * button clicks). The bot under test runs in another process, so what is measured is the bot's
 * ack time, not the generator's CPU. Prints one JSON line `{workspace, control}` when ready; POST
 * `{botUrl, requests, concurrency}` to `control` runs the load and answers with the latencies
 * (`{botUrl, warmUp: true}` warms the bot up; `{botUrl, prepare: n}` has Rita ask for n approvals).
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { slackSignature, startSlackWorkspace } from '../../adapters/local/slack-workspace';

function option(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const secret = option('secret');
  const workspace = await startSlackWorkspace({ signingSecret: secret, botToken: option('token') });
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

  /**
   * Pending requests to click on, asked through Slack as the bot's users do (for a bot in another
   * process): Rita asks for prod and payments admin (two sre-leads must approve); resolves once the
   * bot has posted them all in the approvals channel.
   */
  async function prepare(botUrl: string, count: number) {
    client.botUrl = botUrl;
    for (let i = 0; i < count; i++) {
      const account = i % 2 ? 'prod' : 'payments';
      await client.send({ body: client.commandForm('U0RITA', `request ${account} AdministratorAccess 1h bench ${i}`) });
    }
    // The posts come after the acks (paced by Slack's limits): the load clicks on those that came.
    const deadline = Date.now() + 120_000;
    while (state.channelMessages('C0APPROVALS').length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { latencies: [], errors: 0, wallMs: 0, posts: state.channelMessages('C0APPROVALS').length };
  }

  /**
   * The load itself goes through node:http with a keep-alive pool of `concurrency` sockets, and
   * every body and signature is made before the clock starts: the generator shares the two cores
   * with the bot, so its own cost per request (fetch's machinery, building payloads) would
   * otherwise be counted as the bot's ack time.
   */
  async function run(botUrl: string, requests: number, concurrency: number) {
    const posts = state.channelMessages('C0APPROVALS');
    const ts = Math.floor(Date.now() / 1000);
    const bodies: string[] = [];
    for (let i = 0; i < requests; i++) {
      const user = approvers[(i >> 1) % approvers.length]!;
      if (i % 2 === 0 || posts.length === 0) {
        bodies.push(client.commandForm(i % 10 === 0 ? 'U0RITA' : user, commands[(i >> 1) % commands.length]!));
      } else {
        // Clicks that leave the requests pending, so the buttons stay: Ann approves (then double
        // clicks), Olga is refused (not an approver), Rita is refused (her own request).
        const post = posts[(i >> 1) % posts.length]!;
        const clicker = ['U0ANN', 'U0OLGA', 'U0RITA'][(i >> 1) % 3]!;
        bodies.push(client.clickForm(clicker, post.channel, post.ts, 'approve_request'));
      }
    }
    const deliveries = bodies.map((body) => ({
      body: Buffer.from(body),
      signature: slackSignature(secret, ts, body),
    }));
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const url = new URL(botUrl);
    const post = (d: (typeof deliveries)[number]) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': d.body.length,
              'x-slack-request-timestamp': String(ts),
              'x-slack-signature': d.signature,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(d.body);
      });

    const latencies: number[] = [];
    const why: Record<string, number> = {};
    let errors = 0;
    const count = (key: string) => {
      errors++;
      why[key] = (why[key] ?? 0) + 1;
    };
    let next = 0;
    const worker = async (list: typeof deliveries, record: boolean) => {
      while (next < list.length) {
        const d = list[next++]!;
        const t0 = performance.now();
        try {
          const status = await post(d);
          if (record) latencies.push(performance.now() - t0);
          if (status !== 200 && record) count(String(status));
        } catch (error) {
          if (record) count(error instanceof Error ? error.message : String(error));
        }
      }
    };
    // Open the pool's sockets first with harmless commands (help), as a bot that has been running
    // a while has its connections from Slack open; these are not counted.
    const opening = Array.from({ length: concurrency * 2 }, () => {
      const body = client.commandForm('U0ANN', 'help');
      return { body: Buffer.from(body), signature: slackSignature(secret, ts, body) };
    });
    await Promise.all(Array.from({ length: concurrency }, () => worker(opening, false)));
    next = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, () => worker(deliveries, true)));
    const wallMs = performance.now() - started;
    const generatorCpuMs = Math.round((process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000);
    agent.destroy();
    return { latencies, errors, why, wallMs, generatorCpuMs };
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
        prepare: pending,
      } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        botUrl: string;
        requests: number;
        concurrency: number;
        warmUp?: boolean;
        prepare?: number;
      };
      (pending ? prepare(botUrl, pending) : warm ? warmUp(botUrl) : run(botUrl, requests, concurrency)).then(
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
