import cliProgress from 'cli-progress';
import { formatBytes } from './files';

/** Byte progress of one phase (hashing, uploading a package). */
export interface Progress {
  start(label: string, total: number): void;
  /** Adds (or, after a failed attempt, subtracts) bytes. */
  advance(delta: number): void;
  stop(): void;
}

/**
 * A bar on stderr when it is a terminal; otherwise plain lines at every 10%
 * (logs, CI). stdout stays free for the result (`--json`).
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(stream);
}

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | undefined;
  private value = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(label: string, total: number) {
    this.stop();
    this.value = 0;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `${label.padEnd(24)} [{bar}] {percentage}% | {done} of {size} | ETA {eta_formatted}`,
        barsize: 30,
        hideCursor: true,
        fps: 8,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { done: formatBytes(0), size: formatBytes(total) });
  }

  advance(delta: number) {
    this.value += delta;
    this.bar?.update(this.value, { done: formatBytes(this.value) });
  }

  stop() {
    this.bar?.stop();
    this.bar = undefined;
  }
}

class LineProgress implements Progress {
  private label = '';
  private total = 0;
  private value = 0;
  private lastStep = -1;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(label: string, total: number) {
    this.label = label;
    this.total = total;
    this.value = 0;
    this.lastStep = -1;
    this.report();
  }

  advance(delta: number) {
    this.value += delta;
    this.report();
  }

  stop() {
    this.total = 0;
  }

  private report() {
    if (this.total <= 0) return;
    const step = Math.floor((this.value / this.total) * 10);
    if (step <= this.lastStep) return;
    this.lastStep = step;
    this.stream.write(`${this.label}: ${step * 10}% (${formatBytes(this.value)} of ${formatBytes(this.total)})\n`);
  }
}

/** A download progress bar fed by `onProgress(bytesSoFar, total)` callbacks; `stop()` when done. */
export function downloadProgress(label: string, stream?: NodeJS.WriteStream) {
  const progress = createProgress(stream);
  let started = false;
  let last = 0;
  return {
    onProgress: (bytes: number, total: number) => {
      if (!started) {
        started = true;
        progress.start(label, total);
      }
      progress.advance(bytes - last);
      last = bytes;
    },
    stop: () => progress.stop(),
  };
}
