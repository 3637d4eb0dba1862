/** One figure a benchmark prints. `budget` with `ok` makes `npm run bench` fail when exceeded. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  budget?: string;
  ok?: boolean;
}

export type Bench = () => Promise<BenchFigure[]>;
