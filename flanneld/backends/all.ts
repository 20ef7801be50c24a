/** Imports every backend so each registers itself by name. */
import './vxlan.js';
