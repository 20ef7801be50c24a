// Runs a piece of code inside another network namespace on the calling thread only:
// sockets and TUN/TAP devices keep the namespace they were created in, so the process
// can stay in its own namespace (etcd, metrics) while its datapath lives in the node's.
#pragma once
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>

class NetnsGuard {
 public:
  explicit NetnsGuard(const std::string& path) {
    if (path.empty()) return;
    orig_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (orig_ < 0) { error_ = std::string("open own netns: ") + strerror(errno); return; }
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) { error_ = "open netns " + path + ": " + strerror(errno); return; }
    if (setns(fd, CLONE_NEWNET) < 0) error_ = "setns " + path + ": " + strerror(errno);
    close(fd);
  }
  ~NetnsGuard() {
    if (orig_ >= 0) {
      setns(orig_, CLONE_NEWNET);
      close(orig_);
    }
  }
  const std::string& error() const { return error_; }

 private:
  int orig_ = -1;
  std::string error_;
};
