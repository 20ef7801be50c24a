#!/usr/bin/env node
/**
 * kube-apiserver for kubesim: flags (real kube-apiserver names where they exist), then wiring:
 * etcd client → Registry → REST (HTTP, --port) + gRPC (--grpc-port). SIGTERM/SIGINT: close
 * listeners, end watches, exit 0.
 */
import { parsePort } from '../lib/flags.js';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { Command } from 'commander';
import { Etcd3 } from 'etcd3';
import { EtcdKv } from './storage/etcd-kv.js';
import { createRegistry } from './registry/registry.js';
import { startGrpcServer } from './grpc/server.js';
import { startApiServer } from './server.js';
import { parseTokenFile, tokenAuthenticator } from './rest/auth.js';
import { logLine, setVerbosity } from './rest/log.js';
import { firstServiceIP, secureFromFlags, serviceAccountTokensFromFlags } from './auth/secure-flags.js';
import { runKubernetesService } from './kubernetes-service.js';
import { grpcTokenAuthenticator } from './auth/request-authn.js';
import { buildAuthorizer, enforce } from './auth/request-authz.js';
import type { UserInfo } from './registry/types.js';
import type { RegistryHandle } from './registry/registry.js';
import { rbacEscalationPlugin, type EscalationDeps } from './admission/rbac-escalation.js';
import { certificatePlugins } from './admission/certificates.js';
import { defaultTolerationSecondsPlugin } from './admission/default-toleration-seconds.js';
import { podSecurityPlugin } from './admission/pod-security.js';
import { nodeRestrictionPlugin } from './admission/node-restriction.js';
import { setValueTransformer } from './storage/transformer.js';
import { encryptionTransformer } from './auth/encryption.js';
import type { AdmissionPlugin } from './admission/types.js';
import { serviceAccountPlugin } from './admission/service-account.js';
import { defaultStorageClassPlugin } from './admission/default-storage-class.js';
import { registryLister } from './admission/registry-lister.js';
import { ClusterTokens } from './auth/cluster-tokens.js';
import { parseDurationMs } from '../lib/duration.js';
import { setKubeletClientTls } from './rest/kubelet-proxy.js';
import { etcdCredentials } from '../lib/etcd-tls.js';

const program = new Command('kube-apiserver')
  .description('kubesim API server: Kubernetes REST API (HTTP) and internal gRPC API over one registry backed by etcd')
  .option('--etcd-servers <urls>', 'comma-separated etcd client URLs', 'http://127.0.0.1:2379')
  .option('--etcd-cafile <file>', 'CA of the etcd servers\' certificates (https etcd)')
  .option('--etcd-certfile <file>', 'client certificate presented to etcd')
  .option('--etcd-keyfile <file>', 'private key of --etcd-certfile')
  .option('--etcd-prefix <prefix>', 'key prefix of every object in etcd', '/registry')
  .option('--bind-address <ip>', 'address to listen on (HTTPS and gRPC; HTTP too unless --insecure-bind-address)', '127.0.0.1')
  .option('--port <port>', 'insecure HTTP port of the REST API, every caller is admin: for labs (0 = any free port)', '8080')
  .option('--insecure-port <port>', 'same as --port (kube-apiserver\'s older name)')
  .option('--insecure-bind-address <ip>', 'address of the insecure HTTP port (default 127.0.0.1 when HTTPS is on, else --bind-address)')
  .option('--secure-port <port>', 'HTTPS port (on when TLS material is given: --tls-cert-file or --cert-dir)', '6443')
  .option('--tls-cert-file <file>', 'serving certificate (PEM) of the secure port')
  .option('--tls-private-key-file <file>', 'private key of --tls-cert-file')
  .option('--client-ca-file <file>', 'CA whose client certificates authenticate users (CN = user, O = groups)')
  .option('--cert-dir <dir>', 'where a cluster CA and serving certificate are generated when no --tls-cert-file is given')
  .option('--advertise-address <ip>', 'address put in the generated serving certificate besides 127.0.0.1')
  .option('--service-account-signing-key-file <file>', 'private key (RSA or EC P-256) that signs ServiceAccount tokens (default: sa.key in --cert-dir)')
  .option('--service-account-key-file <files>', 'comma list of PEM keys that verify ServiceAccount tokens (besides the signing key)')
  .option('--service-account-issuer <url>', 'iss claim of ServiceAccount tokens', 'https://kubernetes.default.svc.cluster.local')
  .option('--api-audiences <list>', 'audiences the API accepts in tokens (default: the issuer)')
  .option('--service-account-max-token-expiration <duration>', 'longest lifetime of a requested token; longer requests are shortened (e.g. 24h; default no cap)')
  .option('--service-account-min-token-expiration <duration>', 'kubesim, FOR TESTS: shortest lifetime a TokenRequest may ask (Kubernetes: fixed 10m)', '10m')
  .option('--service-account-extend-token-expiration <bool>', 'projected 3607 s tokens bound to pods live a year (warnafter claim), as Kubernetes', 'true')
  .option('--enable-bootstrap-token-auth', 'authenticate bootstrap tokens <id>.<secret> from Secrets bootstrap-token-<id> in kube-system')
  .option('--anonymous-auth <bool>', 'allow anonymous discovery requests on the secure port', 'true')
  .option('--grpc-port <port>', 'port of the internal gRPC API (0 = any free port, -1 = off); TLS with the serving certificate when HTTPS is on', '8081')
  .option('--grpc-insecure <bool>', 'kubesim, for tests: with HTTPS on, serve gRPC without TLS on --insecure-bind-address (127.0.0.1) instead (tokens are still checked)', 'false')
  .option('--service-cluster-ip-range <cidr>', 'ClusterIP range of Services', '10.96.0.0/12')
  .option('--service-node-port-range <range>', 'NodePort range of Services', '30000-32767')
  .option('--authorization-mode <modes>', 'comma list tried in order: AlwaysAllow, AlwaysDeny, ABAC, Node, RBAC', 'AlwaysAllow')
  .option('--authorization-policy-file <file>', 'ABAC policies, one JSON Policy per line')
  .option('--token-auth-file <file>', 'static bearer tokens: token,user,uid[,"group1,group2"] per line (re-read when it changes)')
  .option('--kubelet-client-certificate <file>', 'client certificate the apiserver presents to kubelets (logs, exec, port-forward, stats): kubelets are then reached over HTTPS')
  .option('--kubelet-client-key <file>', 'private key of --kubelet-client-certificate')
  .option('--kubelet-certificate-authority <file>', "CA that kubelets' serving certificates chain to (without it they are not verified)")
  .option('--encryption-provider-config <file>', 'EncryptionConfiguration (aescbc/aesgcm/identity) for encrypting resources such as secrets in etcd')
  .option('--enable-admission-plugins <list>', 'extra admission plugins to run: DefaultTolerationSeconds (off by default: kubesim clusters rely on the controller-manager\'s --pod-eviction-timeout)', '')
  .option('--disable-admission-plugins <list>', 'admission plugins to switch off: NodeRestriction, PodSecurity, RBACEscalation, ServiceAccount, DefaultStorageClass, CertificateApproval, CertificateSigning, CertificateSubjectRestriction', '')
  .option('--v <level>', 'log verbosity (2 = one line per request)', '0');

/** A port flag of this process; -1 turns a listener off. */
function port(flag: string, value: string): number {
  return parsePort(`--${flag}`, value, -1);
}

async function main(): Promise<void> {
  const o = program.parse(process.argv).opts<Record<string, string>>();
  setVerbosity(Number(o.v) || 0);
  const tokens = o.tokenAuthFile ? parseTokenFile(readFileSync(o.tokenAuthFile, 'utf8')) : undefined;
  if (tokens) watchTokenFile(o.tokenAuthFile, tokens);
  if (o.kubeletClientCertificate) {
    if (!o.kubeletClientKey) throw new Error('--kubelet-client-certificate needs --kubelet-client-key');
    setKubeletClientTls({ cert: readFileSync(o.kubeletClientCertificate, 'utf8'), key: readFileSync(o.kubeletClientKey, 'utf8'), ca: o.kubeletCertificateAuthority ? readFileSync(o.kubeletCertificateAuthority, 'utf8') : undefined });
  }
  if (o.encryptionProviderConfig) setValueTransformer(encryptionTransformer(readFileSync(o.encryptionProviderConfig, 'utf8'), o.etcdPrefix));
  const etcdHosts = o.etcdServers.split(',').map((s) => s.trim()).filter(Boolean);
  const etcdTls = etcdCredentials({ caFile: o.etcdCafile, certFile: o.etcdCertfile, keyFile: o.etcdKeyfile });
  const etcd = new Etcd3({ hosts: etcdHosts, ...etcdTls });
  // Range, Txn and the watches, the hot path of every request, go over our own HTTP/2 gRPC client (storage/etcd-kv.ts, lib/h2).
  const c = etcdTls.credentials;
  const etcdKv = new EtcdKv(etcdHosts, c ? { ca: c.rootCertificate, cert: c.certChain, key: c.privateKey } : undefined);
  // Escalation checks need the RBAC view, which reads this registry: bound after both exist.
  const escalation: EscalationDeps = {};
  const saTokens = serviceAccountTokensFromFlags(o);
  const seconds = (d: string | undefined) => (d ? Math.round(parseDurationMs(d) / 1000) : 0);
  saTokens?.setLimits(seconds(o.serviceAccountMinTokenExpiration), seconds(o.serviceAccountMaxTokenExpiration));
  if (saTokens) saTokens.extendExpiration = o.serviceAccountExtendTokenExpiration !== 'false';
  // Bound ServiceAccount tokens and bootstrap tokens read pods, accounts and secrets from mirrors of the registry.
  const clusterTokens = new ClusterTokens({ serviceAccountTokens: saTokens, bootstrapTokens: Boolean(o.enableBootstrapTokenAuth) });
  // PodSecurity reads namespace labels through the registry it is part of: bound once it exists.
  let registryRef: Awaited<ReturnType<typeof createRegistry>> | undefined;
  const namespaceLabels = async (ns: string) => ((await registryRef?.cachedNamespace(ns).catch(() => undefined))?.metadata?.labels ?? {}) as Record<string, string>;
  const registry = await createRegistry({
    etcd, etcdKv, prefix: o.etcdPrefix, serviceClusterIPRange: o.serviceClusterIpRange, serviceNodePortRange: o.serviceNodePortRange,
    admissionPlugins: optionalPlugins(o, namespaceLabels, escalation, () => registryRef, !!saTokens), issueToken: clusterTokens.issueToken(),
  });
  registryRef = registry;
  const background = new AbortController();
  await clusterTokens.start(registry, background.signal);
  const authz = await buildAuthorizer(o.authorizationMode, registry, o.authorizationPolicyFile);
  escalation.rbac = authz.rbac;
  escalation.decide = authz.decide;
  const mayImpersonate = (user: UserInfo, resource: 'users' | 'groups', name: string) =>
    enforce(authz.decide, { user, verb: 'impersonate', resourceRequest: true, group: '', resource, name });
  const tokenAuthenticators = clusterTokens.authenticators();
  const secure = secureFromFlags(o, port('secure-port', o.securePort), { tokens, tokenAuthenticators, anonymous: o.anonymousAuth !== 'false', mayImpersonate });
  // With HTTPS on, the plain port is kube-apiserver's old insecure port: local only, every caller admin.
  const authenticate = tokens && !secure ? tokenAuthenticator(tokens) : undefined;
  const grpcPort = port('grpc-port', o.grpcPort);
  // With credentials configured the gRPC port is no longer an open admin door: tokens + authz.
  const grpcAuthn = tokens || secure ? grpcTokenAuthenticator({ tokens, tokenAuthenticators }) : undefined;
  // With HTTPS on, gRPC speaks TLS with the same serving certificate (client certificates of the
  // client CA authenticate as on HTTPS); plain gRPC only when asked, and then on loopback only.
  const grpcTls = Boolean(secure) && o.grpcInsecure !== 'true';
  const insecureBind = o.insecureBindAddress ?? (secure ? '127.0.0.1' : o.bindAddress);
  const grpcHost = secure && !grpcTls ? insecureBind : o.bindAddress;
  const server = await startApiServer({
    registry,
    bindAddress: o.bindAddress,
    insecureBindAddress: insecureBind,
    port: port('port', o.insecurePort ?? o.port),
    authenticate,
    authorize: authz.rest,
    rbac: authz.rbac,
    secure,
    healthy: () => etcdHealthy(etcd),
    startGrpc: grpcPort < 0 ? undefined : () => startGrpcServer({
      registry, host: grpcHost, port: grpcPort, authenticate: grpcAuthn, authorize: grpcAuthn ? authz.grpc : undefined,
      tls: grpcTls ? { cert: secure!.cert, key: secure!.key, clientCA: secure!.clientCA } : undefined,
    }).then((g) => ({ ...g, address: grpcHost, tls: grpcTls })),
  });
  const advertise = o.advertiseAddress ?? (o.bindAddress === '0.0.0.0' || o.bindAddress === '::' ? undefined : o.bindAddress);
  const clusterIP = firstServiceIP(o.serviceClusterIpRange);
  if (server.securePort && advertise && clusterIP) {
    void runKubernetesService(registry, { clusterIP, advertiseAddress: advertise, securePort: server.securePort }, background.signal);
  }
  // Machine-readable line for launchers/tests that ask for port 0.
  process.stdout.write(`${JSON.stringify({ httpPort: server.httpPort, securePort: server.securePort, grpcPort: server.grpcPort })}\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logLine('info', 'shutting down', { signal });
    background.abort();
    if (o.tokenAuthFile) unwatchFile(o.tokenAuthFile);
    await server.close();
    authz.close();
    await registry.close();
    etcd.close();
    etcdKv.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Re-reads the token file when it changes and swaps the entries of `tokens` in place (every
 * authenticator holds this Map), so `kubesim node add` can give a new kubelet its token without
 * restarting the apiserver. A file that no longer parses keeps the previous tokens.
 */
function watchTokenFile(file: string, tokens: Map<string, UserInfo>): void {
  watchFile(file, { interval: 1000, persistent: false }, () => {
    try {
      const fresh = parseTokenFile(readFileSync(file, 'utf8'));
      tokens.clear();
      for (const [k, v] of fresh) tokens.set(k, v);
      logLine('info', 'token file reloaded', { file, tokens: fresh.size });
    } catch (err) {
      logLine('warn', 'token file not reloaded', { file, err: (err as Error).message });
    }
  });
}

/** The admission plugins main.ts adds to the registry's own, per --enable/--disable-admission-plugins. */
function optionalPlugins(o: Record<string, string>, namespaceLabels: (ns: string) => Promise<Record<string, string>>, escalation: EscalationDeps,
  registry: () => RegistryHandle | undefined, mountTokens: boolean): AdmissionPlugin[] {
  const list = (v: string) => new Set(v.split(',').map((x) => x.trim()).filter(Boolean));
  const enabled = list(o.enableAdmissionPlugins ?? '');
  const disabled = list(o.disableAdmissionPlugins ?? '');
  const known = ['DefaultTolerationSeconds', 'NodeRestriction', 'PodSecurity', 'RBACEscalation', 'ServiceAccount', 'DefaultStorageClass', 'CertificateApproval', 'CertificateSigning', 'CertificateSubjectRestriction'];
  const unknown = [...enabled, ...disabled].filter((p) => !known.includes(p));
  if (unknown.length) throw new Error(`unknown admission plugins ${unknown.join(',')}: optional ones are ${known.join(', ')}`);
  const plugins: AdmissionPlugin[] = [];
  if (!disabled.has('ServiceAccount')) plugins.push(serviceAccountPlugin(registryLister(registry), mountTokens));
  if (!disabled.has('DefaultStorageClass')) plugins.push(defaultStorageClassPlugin(registryLister(registry)));
  if (enabled.has('DefaultTolerationSeconds') && !disabled.has('DefaultTolerationSeconds')) plugins.push(defaultTolerationSecondsPlugin());
  if (!disabled.has('PodSecurity')) plugins.push(podSecurityPlugin(namespaceLabels, registryLister(registry)));
  if (!disabled.has('NodeRestriction')) plugins.push(nodeRestrictionPlugin());
  if (!disabled.has('RBACEscalation')) plugins.push(rbacEscalationPlugin(escalation));
  plugins.push(...certificatePlugins(escalation).filter((p) => !disabled.has(p.name)));
  return plugins;
}

/** True when etcd answers a status request within 2 s. */
async function etcdHealthy(etcd: Etcd3): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 2000); });
  try {
    return await Promise.race([etcd.maintenance.status().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

main().catch((err) => {
  logLine('error', 'apiserver failed to start', { err: (err as Error).message });
  process.exit(1);
});
