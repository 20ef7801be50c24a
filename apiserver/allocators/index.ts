/** Service allocators: ClusterIPs and NodePorts, kept in etcd so several apiservers share them. */
export { ClusterIPAllocator, parseIP, serviceIPRange } from './cluster-ip.js';
export { NodePortAllocator, parsePortRange } from './node-port.js';
export { RangeAllocator, type ItemRange, type AllocateFailure } from './range-allocator.js';
export { EtcdServiceAllocation, needsClusterIP, needsNodePorts, needsHealthCheckPort } from './service-allocation.js';
