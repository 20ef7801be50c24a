/** Test helper: one HTTP request from inside a netns (node -e), returning status and body. */
import { run } from '../runtime/run.js';

/** Sends `method url` with an optional body from netns `ns`. */
export async function httpRequest(ns: string, method: string, url: string, body?: string): Promise<{ status: number; body: string }> {
  const js = `const r=require('http').request(${JSON.stringify(url)},{method:${JSON.stringify(method)}},(res)=>{let b='';res.on('data',(d)=>b+=d);res.on('end',()=>process.stdout.write(JSON.stringify({status:res.statusCode,body:b})))});r.on('error',(e)=>{console.error(e.message);process.exit(1)});r.end(${JSON.stringify(body ?? '')})`;
  const r = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', js], { timeoutMs: 5000 });
  if (r.code !== 0) throw new Error(`${method} ${url} from ${ns}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as { status: number; body: string };
}
