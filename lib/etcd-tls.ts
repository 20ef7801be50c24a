/**
 * TLS to etcd for its clients (the apiserver, flanneld, kubesim's host tools): the CA that signs
 * etcd's serving certificate and the client certificate etcd asks for (`--client-cert-auth`),
 * given as files the way kube-apiserver's --etcd-cafile/--etcd-certfile/--etcd-keyfile and
 * flanneld's flags of the same names give them.
 */
import { readFileSync } from 'node:fs';
import type { IOptions } from 'etcd3';

/** PEM files of an etcd client's TLS. */
export interface EtcdTlsFiles { caFile?: string; certFile?: string; keyFile?: string }

/** The etcd3 client credentials of the files; none when no CA is given (plain http endpoints). */
export function etcdCredentials(f: EtcdTlsFiles): Pick<IOptions, 'credentials'> {
  if (!f.caFile) {
    if (f.certFile || f.keyFile) throw new Error('--etcd-certfile/--etcd-keyfile need --etcd-cafile');
    return {};
  }
  if (Boolean(f.certFile) !== Boolean(f.keyFile)) throw new Error('--etcd-certfile and --etcd-keyfile go together');
  return {
    credentials: {
      rootCertificate: readFileSync(f.caFile),
      ...(f.certFile && f.keyFile ? { certChain: readFileSync(f.certFile), privateKey: readFileSync(f.keyFile) } : {}),
    },
  };
}
