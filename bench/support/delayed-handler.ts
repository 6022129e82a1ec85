/**
 * An SDK request handler that adds a fixed latency to every AWS call, as a WAN round trip to AWS
 * would (the loopback emulator answers in well under a millisecond).
 */
import { Agent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, HttpRequest } from '@smithy/types';
import { sleep } from '../../adapters/shared/pace';

export class DelayedHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly inner: NodeHttpHandler;

  constructor(private readonly latencyMs: number) {
    this.inner = new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: Infinity }) });
  }

  async handle(request: HttpRequest, options?: HttpHandlerOptions) {
    await sleep(this.latencyMs);
    return this.inner.handle(request as Parameters<NodeHttpHandler['handle']>[0], options);
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs() {
    return {};
  }

  destroy(): void {
    this.inner.destroy();
  }
}
