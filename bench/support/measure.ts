/**
 * Time and peak memory of one operation, for the benchmarks.
 *
 * Peak RSS is the kernel's own high-water mark (VmHWM in /proc/self/status), reset before
 * the operation by writing 5 to /proc/self/clear_refs (Linux): it sees every byte the
 * process touched, even inside a synchronous SQLite call where no timer can fire. Where
 * that is not available, RSS is sampled like the heap. Peak heap is sampled every 5 ms
 * (between awaits) and once more at the end, after a full GC before the start.
 * On PostgreSQL the server's memory is its own (another process) and not counted here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface Measured<T> {
	value: T;
	ms: number;
	/** Heap in use before the operation (the rest of the process). */
	startHeapMb: number;
	peakHeapMb: number;
	startRssMb: number;
	peakRssMb: number;
	/** 'kernel' (VmHWM after a reset) or 'sampled'. */
	rssPeakFrom: 'kernel' | 'sampled';
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
export const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
export const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();

/** Resets the kernel's peak-RSS mark; false where that is not possible. */
function resetPeakRss(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return kernelPeakRss() !== null;
	} catch {
		return false;
	}
}

/** VmHWM in bytes, or null. */
function kernelPeakRss(): number | null {
	try {
		const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
		return match ? Number(match[1]) * 1024 : null;
	} catch {
		return null;
	}
}

/** Runs `fn` and returns its value, its time and the peak heap and RSS while it ran. */
export async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
	collectGarbage();
	const begin = process.memoryUsage();
	let peakHeap = begin.heapUsed;
	let sampledRss = begin.rss;
	const sample = () => {
		const m = process.memoryUsage();
		peakHeap = Math.max(peakHeap, m.heapUsed);
		sampledRss = Math.max(sampledRss, m.rss);
	};
	const kernel = resetPeakRss();
	const timer = setInterval(sample, 5);
	const start = performance.now();
	try {
		const value = await fn();
		const ms = performance.now() - start;
		sample();
		const peakRss = kernel ? Math.max(kernelPeakRss() ?? 0, sampledRss) : sampledRss;
		return {
			value,
			ms: round(ms),
			startHeapMb: mb(begin.heapUsed),
			peakHeapMb: mb(peakHeap),
			startRssMb: mb(begin.rss),
			peakRssMb: mb(peakRss),
			rssPeakFrom: kernel ? 'kernel' : 'sampled',
		};
	} finally {
		clearInterval(timer);
	}
}

/** Percentile (0–100) of sorted numbers, nearest rank. */
export function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

/** System load while the benchmark ran (1-minute load average, cores), to judge the figures. */
export function machine(): { cores: number; loadAverage1m: number } {
	return { cores: cpus().length, loadAverage1m: round(loadavg()[0], 2) };
}
