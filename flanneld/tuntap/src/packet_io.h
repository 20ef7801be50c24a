#pragma once
#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <deque>
#include <vector>

class Forwarder;

// A counter written by one thread at a time and read by another (the stats() call): relaxed
// atomic loads and stores, no read-modify-write on the hot path.
struct Counter {
  std::atomic<double> v{0};
  void operator+=(double d) { v.store(v.load(std::memory_order_relaxed) + d, std::memory_order_relaxed); }
  void operator++(int) { *this += 1; }
  double get() const { return v.load(std::memory_order_relaxed); }
};

// PacketIO moves batches of packets between a non-blocking fd (TUN/TAP or UDP socket) and
// JavaScript. Receive: one uv_poll readiness wake-up drains up to `batch` packets (recvmmsg
// for UDP, repeated read() for TUN/TAP) into shared slots, then calls JS once with the count.
// Send: JS fills the shared tx slots and calls flush(n): one sendmmsg (UDP) or n write()s;
// what the kernel refuses with EAGAIN is queued and sent when the fd becomes writable.
class PacketIO : public Napi::ObjectWrap<PacketIO> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit PacketIO(const Napi::CallbackInfo& info);
  ~PacketIO() override;

 private:
  // The forwarder's thread reads through ReadBatch and checks pendingCount_ (see forwarder.h).
  friend class Forwarder;
  struct Pending {
    std::vector<uint8_t> data;
    uint32_t addr;
    uint16_t port;
    uint16_t gso;
  };

  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  void OnReadable();
  void OnWritable();
  int ReadBatch();
  // Sends packets [from, n) of the tx slots; returns the index of the first unsent one.
  size_t SendSlots(size_t from, size_t n, bool* again);
  bool SendOne(const uint8_t* data, size_t len, uint32_t addr, uint16_t port, uint16_t gso, bool* again);
  void Enqueue(size_t from, size_t n);
  void Drain();
  void UpdatePoll();
  void CloseNow();
  void InitMessages();

  napi_env env_;
  int fd_ = -1;
  bool udp_ = false;
  size_t slot_ = 2048;
  size_t batch_ = 64;
  size_t maxPending_ = 4096;
  bool reading_ = false;
  bool refed_ = false;
  int events_ = 0;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference callback_;
  // The global object, kept so a wake-up does not look it up (N-API callbacks need an object receiver).
  Napi::ObjectReference receiver_;

  // recvmmsg/sendmmsg headers built once: a lone packet's wake-up only touches the entries it
  // uses (a cold path rebuilding 64 entries costs more than the packet itself).
  std::vector<struct mmsghdr> rxMsgs_, txMsgs_;
  std::vector<struct iovec> rxIov_, txIov_;
  std::vector<struct sockaddr_in> rxFrom_, txTo_;
  std::vector<char> rxCtl_, txCtl_;

  uint8_t* rxBuf_ = nullptr;
  int32_t* rxLen_ = nullptr;
  uint32_t* rxAddr_ = nullptr;
  uint16_t* rxPort_ = nullptr;
  uint16_t* rxGso_ = nullptr;
  uint8_t* txBuf_ = nullptr;
  int32_t* txLen_ = nullptr;
  uint32_t* txAddr_ = nullptr;
  uint16_t* txPort_ = nullptr;
  uint16_t* txGso_ = nullptr;

  std::deque<Pending> pending_;
  // pending_.size() for the forwarder's thread: it must not overtake queued packets.
  std::atomic<size_t> pendingCount_{0};
  // A Forwarder reading this fd on its own thread (stopped before the fd closes).
  Forwarder* fwd_ = nullptr;
  Counter rxPackets_, rxBytes_, rxWakeups_, rxTruncated_;
  Counter txPackets_, txBytes_, txQueued_, txDropped_, txErrors_, txEagain_;
};
