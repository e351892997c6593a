/** The contract between bench/run.ts and each bench/benchmarks/NAME.bench.ts (default export). */

/** One benchmark's figures; run.ts prints it as the last stdout line. Extra keys are allowed. */
export interface Result {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  goal: string;
  met: boolean;
  [extra: string]: string | number | boolean;
}

export interface Benchmark {
  name: string;
  run(): Promise<Result>;
}

export const REQUIRED_KEYS = ['name', 'value', 'unit', 'baseline', 'ratio', 'goal', 'met'] as const;
