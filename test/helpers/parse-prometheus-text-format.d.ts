declare module 'parse-prometheus-text-format' {
  /** One sample of a family (gauge/counter/untyped: `value`). */
  export interface PromSample {
    value?: string;
    labels?: Record<string, string>;
  }
  /** A metric family as the parser returns it (prom2json's shape). */
  export interface PromFamily {
    name: string;
    help: string;
    type: string;
    metrics: PromSample[];
  }
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
