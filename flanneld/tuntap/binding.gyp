{
  "targets": [
    {
      "target_name": "tuntap",
      "sources": ["src/addon.cc", "src/netdev.cc", "src/packet_io.cc", "src/csum.cc", "src/forwarder.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
