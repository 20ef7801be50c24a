{
  "targets": [
    {
      "target_name": "tcpproxy",
      "sources": ["src/tcpproxy.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lpthread"]
    }
  ]
}
