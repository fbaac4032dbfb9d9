/**
 * The site's TypeScript kernel as a JupyterLite extension of the project's own. scripts/site-kit.ts
 * bundles this file into a prebuilt (federated) lab extension by hand: a container
 * `_JUPYTERLAB['@sae-lab/typescript-kernel']` with init(shareScope) and get('./extension'), which is
 * all JupyterLab's loader asks of one. The kernel's base class and the kernel-spec registry come
 * from JupyterLite's own shared module (@jupyterlite/services; @jupyterlite/kernel before 0.8):
 * their public API (BaseKernel, IKernelSpecs), nothing of another kernel's internals.
 *
 * The kernel is registered as 'tslab', the name the course's notebooks carry in their metadata,
 * so every notebook opens with it. Each kernel runs its cells in its own Web Worker (worker.ts).
 */
import type { FromWorker, ToWorker } from './protocol';
import { siteSettings } from './env';

type Header = Record<string, unknown>;
type Content = Record<string, unknown>;

interface BaseKernelLike {
  readonly parentHeader: Header | undefined;
  readonly executionCount: number;
  readonly isDisposed: boolean;
  stream(content: Content, parentHeader?: Header): void;
  displayData(content: Content, parentHeader?: Header): void;
  updateDisplayData(content: Content, parentHeader?: Header): void;
  publishExecuteResult(content: Content, parentHeader?: Header): void;
  publishExecuteError(content: Content, parentHeader?: Header): void;
  clearOutput(content: Content, parentHeader?: Header): void;
  dispose(): void;
}
type BaseKernelClass = new (options: Record<string, unknown>) => BaseKernelLike;

interface Services {
  BaseKernel: BaseKernelClass;
  IKernelSpecs: unknown;
}

interface KernelSpecs {
  register(options: { spec: Record<string, unknown>; create: (options: Record<string, unknown>) => Promise<unknown> }): void;
}

type ShareScope = Record<string, Record<string, { get: () => unknown; loaded?: unknown }>>;

const NAME = '@sae-lab/typescript-kernel';
const here = (document.currentScript as HTMLScriptElement | null)?.src ?? '';
const WORKER_URL = new URL('kernel-worker.js', here || document.baseURI).href;
let shareScope: ShareScope | null = null;
let startSettings: Record<string, string> = {};

function storage(): Storage | null {
  try { return window.localStorage; } catch { return null; }
}

/** The newest version of a shared module in JupyterLab's share scope, loaded. */
async function shared(names: string[]): Promise<Services> {
  if (shareScope === null) throw new Error(`${NAME}: get() before init()`);
  for (const name of names) {
    const versions = shareScope[name];
    if (!versions) continue;
    const newest = Object.keys(versions).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop()!;
    const entry = versions[newest];
    entry.loaded = 1;
    const factory = (await entry.get()) as () => Services;
    const mod = factory();
    if (mod && typeof mod.BaseKernel === 'function' && mod.IKernelSpecs) return mod;
  }
  throw new Error(`${NAME}: none of ${names.join(', ')} in JupyterLite's shared modules gives BaseKernel and IKernelSpecs`);
}

function kernelClass(Base: BaseKernelClass): BaseKernelClass {
  return class SaeTypeScriptKernel extends Base {
    private readonly worker: Worker;
    private readonly started: Promise<void>;
    private readonly pending = new Map<number, { header: Header | undefined; resolve: (c: Content) => void }>();
    private nextId = 1;
    private lastHeader: Header | undefined = undefined;

    constructor(options: Record<string, unknown>) {
      super(options);
      this.worker = new Worker(WORKER_URL);
      let ready: (error?: string) => void = () => {};
      this.started = new Promise<void>((resolve, reject) => {
        ready = (error?: string) => (error ? reject(new Error(error)) : resolve());
      });
      this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const m = event.data;
        if (m.type === 'ready') ready(m.error);
        else this.fromWorker(m);
      };
      this.worker.onerror = (event: ErrorEvent) => ready(`the kernel's worker failed to start: ${event.message}`);
      const env = { ...startSettings, ...siteSettings('', storage()) };
      this.worker.postMessage({ type: 'init', env } satisfies ToWorker);
    }

    get ready(): Promise<void> {
      return this.started;
    }

    private fromWorker(m: Exclude<FromWorker, { type: 'ready' }>): void {
      const header = this.pending.get(m.id)?.header ?? this.lastHeader;
      if (m.type === 'reply') {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.content);
        return;
      }
      const c = m.content;
      switch (m.msgType) {
        case 'stream': this.stream(c, header); break;
        case 'display_data': this.displayData(c, header); break;
        case 'update_display_data': this.updateDisplayData(c, header); break;
        case 'execute_result': this.publishExecuteResult({ ...c, execution_count: this.executionCount }, header); break;
        case 'error': this.publishExecuteError(c, header); break;
        case 'clear_output': this.clearOutput(c, header); break;
      }
    }

    async kernelInfoRequest(): Promise<Content> {
      return {
        implementation: 'sae-lab-typescript', implementation_version: '0.1.0', protocol_version: '5.3', status: 'ok',
        banner: 'sae-lab: TypeScript in the browser (the course kit, TensorFlow.js, in a Web Worker)',
        language_info: {
          name: 'typescript', version: '5', mimetype: 'text/typescript', file_extension: '.ts',
          codemirror_mode: { name: 'javascript', typescript: true }, pygments_lexer: 'typescript', nbconvert_exporter: 'script',
        },
        help_links: [],
      };
    }

    async executeRequest(content: Content): Promise<Content> {
      const header = this.parentHeader;
      this.lastHeader = header;
      try {
        await this.started;
      } catch (e) {
        const error = { ename: 'KernelError', evalue: String((e as Error).message), traceback: [String((e as Error).message)] };
        this.publishExecuteError(error, header);
        return { status: 'error', execution_count: this.executionCount, ...error };
      }
      const id = this.nextId++;
      const reply = await new Promise<Content>((resolve) => {
        this.pending.set(id, { header, resolve });
        this.worker.postMessage({ type: 'execute', id, code: String(content.code ?? '') } satisfies ToWorker);
      });
      return { ...reply, execution_count: this.executionCount };
    }

    async completeRequest(content: Content): Promise<Content> {
      const at = Number(content.cursor_pos ?? 0);
      return { status: 'ok', matches: [], cursor_start: at, cursor_end: at, metadata: {} };
    }

    async inspectRequest(): Promise<Content> {
      return { status: 'ok', found: false, data: {}, metadata: {} };
    }

    async isCompleteRequest(): Promise<Content> {
      return { status: 'complete' };
    }

    async commInfoRequest(): Promise<Content> {
      return { status: 'ok', comms: {} };
    }

    inputReply(): void {}
    async commOpen(): Promise<void> {}
    async commMsg(): Promise<void> {}
    async commClose(): Promise<void> {}

    dispose(): void {
      if (this.isDisposed) return;
      this.worker.terminate();
      for (const p of this.pending.values()) p.resolve({ status: 'abort' });
      this.pending.clear();
      super.dispose();
    }
  };
}

function plugin(services: Services): Record<string, unknown> {
  const Kernel = kernelClass(services.BaseKernel);
  return {
    id: `${NAME}:kernel`,
    autoStart: true,
    requires: [services.IKernelSpecs],
    activate: (_app: unknown, specs: KernelSpecs) => {
      startSettings = siteSettings(window.location.search, storage());
      specs.register({
        spec: {
          name: 'tslab', display_name: 'TypeScript', language: 'typescript', argv: [],
          resources: {},
          metadata: { 'sae-lab': 'the course kit in the browser' },
        },
        create: async (options) => new Kernel(options),
      });
    },
  };
}

const container = {
  init(scope: ShareScope): void {
    shareScope = scope;
  },
  async get(module: string): Promise<() => unknown> {
    if (module !== './extension' && module !== './index') throw new Error(`Module "${module}" does not exist in container ${NAME}.`);
    const services = await shared(['@jupyterlite/services', '@jupyterlite/kernel']);
    const mod = { __esModule: true, default: [plugin(services)] };
    return () => mod;
  },
};

const w = window as unknown as { _JUPYTERLAB?: Record<string, unknown> };
(w._JUPYTERLAB = w._JUPYTERLAB ?? {})[NAME] = container;
