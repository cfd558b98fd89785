import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * A second "host" for tests: a network namespace joined to this one by a veth pair, with its own loopback,
 * so a process started in it reaches PostgreSQL only over the veth (through a TCP relay on this side's
 * address: the server itself listens on loopback). `cut()` takes the link down as a pulled cable would:
 * packets stop, no connection is reset. Needs root and iproute2.
 */
export class OtherHost {
  readonly #sockets = new Set<net.Socket>();
  /** Connections the relay accepted from the namespace. */
  connections = 0;

  private constructor(
    readonly ns: string,
    readonly hostVeth: string,
    readonly hostAddress: string,
    private readonly relay: net.Server,
    readonly relayPort: number,
  ) {}

  /** Whether this machine can create one (root, `ip` present); the reason when it cannot. */
  static unavailable(): string | null {
    if (process.getuid?.() !== 0) return 'network namespaces need root';
    try {
      execFileSync('ip', ['-V'], { stdio: 'ignore' });
    } catch {
      return 'iproute2 (ip) is not installed';
    }
    return null;
  }

  static async create(target: { host: string; port: number }): Promise<OtherHost> {
    const id = randomBytes(3).toString('hex');
    const ns = `sp-${id}`;
    const hostVeth = `spa${id}`;
    const nsVeth = `spb${id}`;
    const octet = 16 + (Number.parseInt(id, 16) % 200);
    const hostAddress = `10.213.${octet}.1`;
    const nsAddress = `10.213.${octet}.2`;
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
    ip('netns', 'add', ns);
    try {
      ip('link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth);
      ip('link', 'set', nsVeth, 'netns', ns);
      ip('addr', 'add', `${hostAddress}/30`, 'dev', hostVeth);
      ip('link', 'set', hostVeth, 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${nsAddress}/30`, 'dev', nsVeth);
      ip('netns', 'exec', ns, 'ip', 'link', 'set', nsVeth, 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    } catch (error) {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      throw error;
    }
    const relay = net.createServer();
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(0, hostAddress, () => resolve());
    });
    const host = new OtherHost(ns, hostVeth, hostAddress, relay, (relay.address() as net.AddressInfo).port);
    relay.on('connection', (client) => host.#relay(client, target));
    return host;
  }

  #relay(client: net.Socket, target: { host: string; port: number }): void {
    this.connections++;
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** `url` with its host and port replaced by the relay's, as a process in the namespace must connect. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = this.hostAddress;
    u.port = String(this.relayPort);
    return u.toString();
  }

  /** Starts `command args…` inside the namespace. */
  spawn(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.ns, command, ...args], { env, cwd, stdio: 'pipe' });
  }

  /** Takes the link down (no packet passes either way; open connections hang, as with a pulled cable). */
  cut(): void {
    execFileSync('ip', ['link', 'set', this.hostVeth, 'down'], { stdio: 'pipe' });
  }

  restore(): void {
    execFileSync('ip', ['link', 'set', this.hostVeth, 'up'], { stdio: 'pipe' });
  }

  async destroy(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.relay.close(() => resolve()));
    execFileSync('ip', ['netns', 'del', this.ns], { stdio: 'ignore' });
  }
}
