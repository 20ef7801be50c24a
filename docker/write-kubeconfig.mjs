// One-shot: writes the kubeconfig for kubectl on the host (server = the port published on
// 127.0.0.1) to /out/kubeconfig, the checkout's ./.kubesim/ mounted by compose.yaml.
import { chmodSync } from 'node:fs';
import { writeKubeconfig } from '/app/dist/cli/cluster/kubeconfig.js';

const port = process.env.KUBESIM_APISERVER_PORT || '6443';
const name = process.env.KUBESIM_CLUSTER_NAME || 'kubesim-compose';
const file = process.env.KUBECONFIG_OUT || '/out/kubeconfig';
// Plain HTTP for now: the apiserver serves HTTPS only once the security work lands.
writeKubeconfig(file, name, `http://127.0.0.1:${port}`);
chmodSync(file, 0o644); // the checkout's owner (not root) runs kubectl on it
console.log(JSON.stringify({ msg: 'kubeconfig written', file, server: `http://127.0.0.1:${port}` }));
