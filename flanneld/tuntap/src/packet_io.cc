// See packet_io.h. A single self-contained datapath primitive; kept in one file on purpose.
#include "packet_io.h"

#include "forwarder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace {
constexpr int kMaxRoundsPerWakeup = 8;  // then yield to the event loop (level-triggered poll fires again)
constexpr size_t kRxCtl = CMSG_SPACE(sizeof(int));       // UDP_GRO segment size
constexpr size_t kTxCtl = CMSG_SPACE(sizeof(uint16_t));  // UDP_SEGMENT size
}

Napi::Function PacketIO::Init(Napi::Env env) {
  return DefineClass(env, "PacketIO", {
      InstanceMethod("start", &PacketIO::Start),
      InstanceMethod("stop", &PacketIO::Stop),
      InstanceMethod("flush", &PacketIO::Flush),
      InstanceMethod("close", &PacketIO::Close),
      InstanceMethod("stats", &PacketIO::Stats),
  });
}

// new PacketIO(fd, kind: 'tun' | 'udp', { slotSize, batch, maxPending }, onPackets(count))
PacketIO::PacketIO(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PacketIO>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsObject() || !info[3].IsFunction()) {
    Napi::TypeError::New(env, "PacketIO(fd, kind, opts, onPackets)").ThrowAsJavaScriptException();
    return;
  }
  fd_ = info[0].As<Napi::Number>().Int32Value();
  udp_ = info[1].As<Napi::String>().Utf8Value() == "udp";
  Napi::Object opts = info[2].As<Napi::Object>();
  if (opts.Get("slotSize").IsNumber()) slot_ = opts.Get("slotSize").As<Napi::Number>().Uint32Value();
  if (opts.Get("batch").IsNumber()) batch_ = opts.Get("batch").As<Napi::Number>().Uint32Value();
  if (opts.Get("maxPending").IsNumber()) maxPending_ = opts.Get("maxPending").As<Napi::Number>().Uint32Value();
  if (slot_ < 64 || slot_ > 131072 || batch_ < 1 || batch_ > 1024) {
    Napi::RangeError::New(env, "slotSize must be 64..131072 and batch 1..1024").ThrowAsJavaScriptException();
    return;
  }
  callback_ = Napi::Persistent(info[3].As<Napi::Function>());
  receiver_ = Napi::Persistent(env.Global());

  Napi::Object self = info.This().As<Napi::Object>();
  auto rxBuf = Napi::Buffer<uint8_t>::New(env, slot_ * batch_);
  auto rxLen = Napi::Int32Array::New(env, batch_);
  auto rxAddr = Napi::Uint32Array::New(env, batch_);
  auto rxPort = Napi::Uint16Array::New(env, batch_);
  auto rxGso = Napi::Uint16Array::New(env, batch_);
  auto txBuf = Napi::Buffer<uint8_t>::New(env, slot_ * batch_);
  auto txLen = Napi::Int32Array::New(env, batch_);
  auto txAddr = Napi::Uint32Array::New(env, batch_);
  auto txPort = Napi::Uint16Array::New(env, batch_);
  auto txGso = Napi::Uint16Array::New(env, batch_);
  rxBuf_ = rxBuf.Data(); rxLen_ = rxLen.Data(); rxAddr_ = rxAddr.Data(); rxPort_ = rxPort.Data(); rxGso_ = rxGso.Data();
  txBuf_ = txBuf.Data(); txLen_ = txLen.Data(); txAddr_ = txAddr.Data(); txPort_ = txPort.Data(); txGso_ = txGso.Data();
  // Exposed as properties so JavaScript reads and writes packets in place, and so the
  // wrapper object keeps the memory alive.
  self.Set("rxBuf", rxBuf); self.Set("rxLen", rxLen); self.Set("rxAddr", rxAddr); self.Set("rxPort", rxPort);
  self.Set("rxGso", rxGso); self.Set("txGso", txGso);
  self.Set("txBuf", txBuf); self.Set("txLen", txLen); self.Set("txAddr", txAddr); self.Set("txPort", txPort);
  self.Set("slotSize", Napi::Number::New(env, slot_));
  self.Set("batch", Napi::Number::New(env, batch_));
  if (udp_) InitMessages();

  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  poll_ = new uv_poll_t;
  if (uv_poll_init(loop, poll_, fd_) != 0) {
    delete poll_;
    poll_ = nullptr;
    Napi::Error::New(env, "uv_poll_init failed (not a pollable fd?)").ThrowAsJavaScriptException();
    return;
  }
  poll_->data = this;
}

PacketIO::~PacketIO() { CloseNow(); }

void PacketIO::InitMessages() {
  rxMsgs_.assign(batch_, mmsghdr{}); txMsgs_.assign(batch_, mmsghdr{});
  rxIov_.resize(batch_); txIov_.resize(batch_);
  rxFrom_.assign(batch_, sockaddr_in{}); txTo_.assign(batch_, sockaddr_in{});
  rxCtl_.assign(batch_ * kRxCtl, 0); txCtl_.assign(batch_ * kTxCtl, 0);
  for (size_t i = 0; i < batch_; i++) {
    rxIov_[i] = {rxBuf_ + i * slot_, slot_};
    struct msghdr& r = rxMsgs_[i].msg_hdr;
    r.msg_iov = &rxIov_[i];
    r.msg_iovlen = 1;
    r.msg_name = &rxFrom_[i];
    r.msg_namelen = sizeof(rxFrom_[i]);
    r.msg_control = rxCtl_.data() + i * kRxCtl;
    r.msg_controllen = kRxCtl;
    txIov_[i] = {txBuf_ + i * slot_, 0};
    txTo_[i].sin_family = AF_INET;
    struct msghdr& t = txMsgs_[i].msg_hdr;
    t.msg_iov = &txIov_[i];
    t.msg_iovlen = 1;
    t.msg_name = &txTo_[i];
    t.msg_namelen = sizeof(txTo_[i]);
    // A GSO header is set up once per slot; msg_controllen says whether a send uses it.
    struct cmsghdr* c = reinterpret_cast<struct cmsghdr*>(txCtl_.data() + i * kTxCtl);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  }
}

void PacketIO::CloseNow() {
  if (fwd_ != nullptr) fwd_->Detach();  // its thread must be gone before the fd is
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  pending_.clear();
  pendingCount_.store(0);
  events_ = 0;
  reading_ = false;
}

void PacketIO::UpdatePoll() {
  if (poll_ == nullptr) return;
  int want = (reading_ ? UV_READABLE : 0) | (pending_.empty() ? 0 : UV_WRITABLE);
  if (want != events_) {
    if (want == 0) uv_poll_stop(poll_);
    else uv_poll_start(poll_, want, &PacketIO::OnPoll);
    events_ = want;
  }
  // While polling, the wrapper must not be collected even if JavaScript drops it.
  if (events_ != 0 && !refed_) { Ref(); refed_ = true; }
  if (events_ == 0 && refed_) { refed_ = false; Unref(); }
}

Napi::Value PacketIO::Start(const Napi::CallbackInfo& info) {
  if (fd_ < 0) {
    Napi::Error::New(info.Env(), "PacketIO is closed").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  if (fwd_ != nullptr) {
    Napi::Error::New(info.Env(), "PacketIO is read by a Forwarder").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  reading_ = true;
  UpdatePoll();
  return info.Env().Undefined();
}

Napi::Value PacketIO::Stop(const Napi::CallbackInfo& info) {
  reading_ = false;
  UpdatePoll();
  return info.Env().Undefined();
}

Napi::Value PacketIO::Close(const Napi::CallbackInfo& info) {
  CloseNow();
  if (refed_) { refed_ = false; Unref(); }
  return info.Env().Undefined();
}

void PacketIO::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<PacketIO*>(handle->data);
  if (self == nullptr || status < 0) return;
  if (events & UV_WRITABLE) self->OnWritable();
  if ((events & UV_READABLE) && self->reading_) self->OnReadable();
}

int PacketIO::ReadBatch() {
  int count = 0;
  if (udp_) {
    struct mmsghdr* msgs = rxMsgs_.data();
    int r;
    do { r = recvmmsg(fd_, msgs, batch_, MSG_DONTWAIT, nullptr); } while (r < 0 && errno == EINTR);
    if (r <= 0) return 0;
    for (int i = 0; i < r; i++) {
      struct msghdr& h = msgs[i].msg_hdr;
      bool truncated = (h.msg_flags & MSG_TRUNC) != 0;
      rxLen_[i] = truncated ? -1 : static_cast<int32_t>(msgs[i].msg_len);
      if (truncated) rxTruncated_++;
      rxAddr_[i] = ntohl(rxFrom_[i].sin_addr.s_addr);
      rxPort_[i] = ntohs(rxFrom_[i].sin_port);
      rxGso_[i] = 0;
      for (struct cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
          int seg;
          memcpy(&seg, CMSG_DATA(c), sizeof(seg));
          if (static_cast<uint32_t>(seg) < msgs[i].msg_len) rxGso_[i] = static_cast<uint16_t>(seg);
        }
      }
      rxBytes_ += msgs[i].msg_len;
      // The kernel shrank these to what it filled in: restore them for the next call.
      h.msg_namelen = sizeof(rxFrom_[i]);
      h.msg_controllen = kRxCtl;
      h.msg_flags = 0;
    }
    count = r;
  } else {
    while (static_cast<size_t>(count) < batch_) {
      ssize_t n = read(fd_, rxBuf_ + count * slot_, slot_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      rxLen_[count] = static_cast<int32_t>(n);
      rxAddr_[count] = 0;
      rxPort_[count] = 0;
      rxGso_[count] = 0;
      rxBytes_ += n;
      count++;
    }
  }
  rxPackets_ += count;
  return count;
}

void PacketIO::OnReadable() {
  rxWakeups_++;
  Napi::Env env(env_);
  for (int round = 0; round < kMaxRoundsPerWakeup && reading_ && fd_ >= 0; round++) {
    int count = ReadBatch();
    if (count == 0) break;
    Napi::HandleScope scope(env);
    // The receiver must be an object (the global): with undefined, napi_make_callback leaves
    // an exception pending and every later call from this loop fails.
    callback_.MakeCallback(receiver_.Value(), {Napi::Number::New(env, count)});
    if (env.IsExceptionPending()) {
      Napi::Error err = env.GetAndClearPendingException();
      napi_fatal_exception(env_, err.Value());
      break;
    }
    if (static_cast<size_t>(count) < batch_) break;
  }
}

bool PacketIO::SendOne(const uint8_t* data, size_t len, uint32_t addr, uint16_t port, uint16_t gso, bool* again) {
  *again = false;
  for (;;) {
    ssize_t n;
    if (udp_) {
      struct sockaddr_in to;
      memset(&to, 0, sizeof(to));
      to.sin_family = AF_INET;
      to.sin_addr.s_addr = htonl(addr);
      to.sin_port = htons(port);
      struct iovec iov = {const_cast<uint8_t*>(data), len};
      struct msghdr mh;
      memset(&mh, 0, sizeof(mh));
      mh.msg_name = &to;
      mh.msg_namelen = sizeof(to);
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      char ctl[CMSG_SPACE(sizeof(uint16_t))];
      if (gso > 0 && gso < len) {
        memset(ctl, 0, sizeof(ctl));
        mh.msg_control = ctl;
        mh.msg_controllen = sizeof(ctl);
        struct cmsghdr* c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        memcpy(CMSG_DATA(c), &gso, sizeof(gso));
      }
      n = sendmsg(fd_, &mh, MSG_DONTWAIT);
    } else {
      n = write(fd_, data, len);
    }
    if (n >= 0) { txPackets_++; txBytes_ += len; return true; }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) { *again = true; txEagain_++; return false; }
    txErrors_++;  // e.g. EMSGSIZE, ENETUNREACH: this packet is lost, the next may go
    return true;
  }
}

size_t PacketIO::SendSlots(size_t from, size_t n, bool* again) {
  *again = false;
  size_t i = from;
  if (udp_) {
    struct mmsghdr* msgs = txMsgs_.data();
    for (size_t s = from; s < n; s++) {
      txIov_[s].iov_len = static_cast<size_t>(txLen_[s]);
      txTo_[s].sin_addr.s_addr = htonl(txAddr_[s]);
      txTo_[s].sin_port = htons(txPort_[s]);
      // UDP GSO: one buffer of equal-size datagrams (the last may be shorter) leaves as many.
      uint16_t gso = txGso_[s];
      struct msghdr& h = msgs[s].msg_hdr;
      if (gso > 0 && static_cast<size_t>(gso) < txIov_[s].iov_len) {
        h.msg_control = txCtl_.data() + s * kTxCtl;
        h.msg_controllen = kTxCtl;
        memcpy(CMSG_DATA(reinterpret_cast<struct cmsghdr*>(h.msg_control)), &gso, sizeof(gso));
      } else {
        h.msg_control = nullptr;
        h.msg_controllen = 0;
      }
    }
    while (i < n) {
      int r = sendmmsg(fd_, msgs + i, n - i, MSG_DONTWAIT);
      if (r > 0) {
        for (int k = 0; k < r; k++) txBytes_ += txIov_[i + k].iov_len;
        txPackets_ += r;
        i += r;
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) { *again = true; txEagain_++; break; }
      txErrors_++;  // the first message of the rest failed for good: skip it
      i++;
    }
    return i;
  }
  for (; i < n; i++) {
    if (!SendOne(txBuf_ + i * slot_, static_cast<size_t>(txLen_[i]), txAddr_[i], txPort_[i], 0, again)) break;
  }
  return i;
}

void PacketIO::Enqueue(size_t from, size_t n) {
  for (size_t s = from; s < n; s++) {
    if (pending_.size() >= maxPending_) { txDropped_++; continue; }
    const uint8_t* p = txBuf_ + s * slot_;
    pending_.push_back(Pending{std::vector<uint8_t>(p, p + txLen_[s]), txAddr_[s], txPort_[s], udp_ ? txGso_[s] : static_cast<uint16_t>(0)});
    txQueued_++;
  }
  pendingCount_.store(pending_.size());
}

void PacketIO::Drain() {
  while (!pending_.empty() && fd_ >= 0) {
    Pending& p = pending_.front();
    bool again;
    if (!SendOne(p.data.data(), p.data.size(), p.addr, p.port, p.gso, &again)) break;
    pending_.pop_front();
  }
  pendingCount_.store(pending_.size());
}

void PacketIO::OnWritable() {
  Drain();
  UpdatePoll();
}

// flush(n): sends tx slots 0..n-1 (txLen/txAddr/txPort say length and UDP destination).
// Returns how many left at once; the rest wait in order for the fd to become writable.
Napi::Value PacketIO::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) {
    Napi::Error::New(env, "PacketIO is closed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  size_t n = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 0;
  if (n > batch_) n = batch_;
  for (size_t s = 0; s < n; s++) {
    if (txLen_[s] < 0 || static_cast<size_t>(txLen_[s]) > slot_) {
      Napi::RangeError::New(env, "txLen out of range in slot " + std::to_string(s)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  size_t sent = 0;
  if (!pending_.empty()) Drain();
  if (pending_.empty()) {
    bool again;
    sent = SendSlots(0, n, &again);
  }
  Enqueue(sent, n);  // keeps order: nothing overtakes what is already queued
  UpdatePoll();
  return Napi::Number::New(env, static_cast<double>(sent));
}

Napi::Value PacketIO::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("rxPackets", rxPackets_.get());
  o.Set("rxBytes", rxBytes_.get());
  o.Set("rxWakeups", rxWakeups_.get());
  o.Set("rxTruncated", rxTruncated_.get());
  o.Set("txPackets", txPackets_.get());
  o.Set("txBytes", txBytes_.get());
  o.Set("txQueued", txQueued_.get());
  o.Set("txDropped", txDropped_.get());
  o.Set("txErrors", txErrors_.get());
  o.Set("txEagain", txEagain_.get());
  o.Set("pending", static_cast<double>(pending_.size()));
  return o;
}
