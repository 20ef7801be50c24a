/** Slim views as the server sends them (dashboard/server/slim.ts). */
export interface Slim {
  kind: string; key: string; ns?: string; name: string; uid?: string;
  labels?: Record<string, string>; owner?: { kind: string; name: string };
  [field: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A Kubernetes Status as the server answers errors. */
export interface Status { message?: string; reason?: string; code?: number; details?: { causes?: Array<{ field?: string; message?: string; reason?: string }> } }

/** What the side panel shows. */
export interface Selection { kind: string; ns?: string; name: string; tab?: 'yaml' | 'logs' | 'decision' | 'exec' }
