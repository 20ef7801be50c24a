/** Imports every backend so each registers itself by name. */
import './host-gw.js';
import './udp.js';
import './vxlan.js';
