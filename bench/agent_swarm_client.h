// The agent swarm benchmark's HTTP/1.1 client over TLS: keep-alive
// connections driven by C++20 coroutines on Asio event loops, OpenSSL reading
// and writing each non-blocking socket itself (Asio only waits for
// readiness), with SSL_MODE_RELEASE_BUFFERS, so an idle connection costs a few
// KB and no thread; thousands of simulated agents share two threads. It
// verifies the server against one CA file for 127.0.0.1 and spreads its
// connections over source addresses 127.0.0.1-16. Only what the benchmark
// needs: one request at a time per connection (no pipelining), answers with
// Content-Length or chunked bodies held in memory, no redirects, no request
// timeouts (the benchmark stops its loops instead). Included by
// agent_swarm_bench.cc only.
#pragma once

#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"

namespace warden::swarm {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

constexpr int kSourceAddresses = 16;  // 127.0.0.1 .. 127.0.0.16

struct TlsTarget {
  SSL_CTX* ctx = nullptr;
  int port = 0;
  std::string host_header;  // "127.0.0.1:PORT"
};

// Verifies the server against the CA file only, for 127.0.0.1.
inline Result<SSL_CTX*> MakeClientContext(const std::string& ca_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Internal("SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE);
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    SSL_CTX_free(ctx);
    return IoError("load CA " + ca_file);
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return ctx;
}

struct HttpAnswer {
  int status = 0;     // 0: transport error
  std::string error;  // transport error
  std::string etag;
  std::string body;
  int retry_after_s = 0;  // Retry-After, when sent
};

inline bool HeaderIs(std::string_view line, std::string_view name, std::string_view* value) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  std::string_view v = line.substr(name.size() + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  *value = v;
  return true;
}

// One HTTP/1.1 keep-alive connection over TLS, used by one coroutine at a
// time on one io_context. OpenSSL reads and writes the non-blocking socket
// itself; Asio only waits for readiness. Connects on first use and again
// after the server closed it (a request that failed on a reused connection
// before any answer byte arrived is sent once more on a new one, as
// libcurl does; `reconnects` counts them).
class TlsConnection {
 public:
  TlsConnection(net::io_context& io, const TlsTarget& target, int source_index)
      : socket_(io), target_(target), source_index_(source_index) {}
  ~TlsConnection() { Close(); }
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  void Close() {
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    boost::system::error_code ignored;
    socket_.close(ignored);
    in_.clear();
  }

  // Closes it for good: a request in flight fails, later ones are not sent.
  void Shutdown() {
    shut_down_ = true;
    Close();
  }

  int64_t reconnects() const { return reconnects_; }

  awaitable<HttpAnswer> Send(const std::string& request) {
    if (shut_down_) co_return HttpAnswer{0, "shut down", "", ""};
    const bool reused = ssl_ != nullptr;
    bool nothing_received = false;
    HttpAnswer answer = co_await SendOnce(request, &nothing_received);
    if (answer.status == 0 && reused && nothing_received && !shut_down_) {
      ++reconnects_;
      answer = co_await SendOnce(request, &nothing_received);
    }
    co_return answer;
  }

 private:
  static std::string SslError(int code) {
    unsigned long e = ERR_get_error();
    if (e != 0) {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      return buf;
    }
    if (code == SSL_ERROR_SYSCALL) return errno != 0 ? std::strerror(errno) : "connection closed";
    return "TLS error " + std::to_string(code);
  }

  // Runs an SSL call until it completes, waiting for the socket as it asks.
  // > 0: done; 0: the peer closed; < 0: error (in *error).
  template <typename Op>
  awaitable<int> RunSsl(Op op, std::string* error) {
    for (;;) {
      // Closed meanwhile (Shutdown, from another handler on this loop).
      if (ssl_ == nullptr) {
        *error = "connection closed by the client";
        co_return -1;
      }
      ERR_clear_error();
      errno = 0;
      const int r = op();
      if (r > 0) co_return r;
      const int code = SSL_get_error(ssl_, r);
      boost::system::error_code ec;
      if (code == SSL_ERROR_WANT_READ) {
        co_await socket_.async_wait(tcp::socket::wait_read,
                                    net::redirect_error(net::use_awaitable, ec));
      } else if (code == SSL_ERROR_WANT_WRITE) {
        co_await socket_.async_wait(tcp::socket::wait_write,
                                    net::redirect_error(net::use_awaitable, ec));
      } else if (code == SSL_ERROR_ZERO_RETURN ||
                 (code == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)) {
        co_return 0;
      } else {
        *error = SslError(code);
        co_return -1;
      }
      if (ec) {
        *error = ec.message();
        co_return -1;
      }
    }
  }

  awaitable<bool> Connect(std::string* error) {
    Close();
    boost::system::error_code ec;
    socket_.open(tcp::v4(), ec);
    if (!ec) {
      // Spread over 127.0.0.1-16 so that more connections than one
      // ephemeral port range holds can be open at once.
      int yes = 1;
      setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &yes, sizeof yes);
      const auto source = net::ip::address_v4(0x7f000001u + static_cast<uint32_t>(source_index_));
      socket_.bind(tcp::endpoint(source, 0), ec);
    }
    if (!ec) {
      co_await socket_.async_connect(
          tcp::endpoint(net::ip::address_v4::loopback(), static_cast<uint16_t>(target_.port)),
          net::redirect_error(net::use_awaitable, ec));
    }
    if (ec) {
      *error = "connect: " + ec.message();
      Close();
      co_return false;
    }
    socket_.set_option(tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);
    ssl_ = SSL_new(target_.ctx);
    SSL_set_fd(ssl_, socket_.native_handle());
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
    SSL_set_connect_state(ssl_);
    const int r = co_await RunSsl([this] { return SSL_do_handshake(ssl_); }, error);
    if (r <= 0) {
      if (r == 0) *error = "TLS handshake: connection closed";
      Close();
      co_return false;
    }
    co_return true;
  }

  // Appends what one SSL_read gives to in_; > 0, 0 (closed) or < 0.
  awaitable<int> ReadMore(std::string* error) {
    static thread_local char scratch[64 * 1024];
    const int n =
        co_await RunSsl([this] { return SSL_read(ssl_, scratch, sizeof scratch); }, error);
    if (n > 0) in_.append(scratch, static_cast<size_t>(n));
    co_return n;
  }

  // Reads until in_ holds at least `size` bytes.
  awaitable<bool> Fill(size_t size, std::string* error) {
    while (in_.size() < size) {
      const int n = co_await ReadMore(error);
      if (n <= 0) {
        if (n == 0) *error = "connection closed mid-answer";
        co_return false;
      }
    }
    co_return true;
  }

  awaitable<HttpAnswer> SendOnce(const std::string& request, bool* nothing_received) {
    HttpAnswer answer;
    *nothing_received = false;
    if (ssl_ == nullptr && !co_await Connect(&answer.error)) co_return answer;
    in_.clear();
    size_t sent = 0;
    while (sent < request.size()) {
      const int n = co_await RunSsl(
          [&] {
            return SSL_write(ssl_, request.data() + sent,
                             static_cast<int>(std::min<size_t>(request.size() - sent, 1 << 20)));
          },
          &answer.error);
      if (n <= 0) {
        if (n == 0) answer.error = "connection closed while sending";
        *nothing_received = true;
        Close();
        co_return answer;
      }
      sent += static_cast<size_t>(n);
    }
    size_t head_end;
    while ((head_end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (in_.size() > 64 * 1024) {
        answer.error = "answer header over 64 KB";
        Close();
        co_return answer;
      }
      const int n = co_await ReadMore(&answer.error);
      if (n <= 0) {
        if (n == 0) answer.error = "connection closed before the answer";
        *nothing_received = in_.empty();
        Close();
        co_return answer;
      }
    }
    std::string_view head(in_.data(), head_end);
    if (head.size() < 12 || head.substr(0, 7) != "HTTP/1.") {
      answer.error = "not an HTTP answer";
      Close();
      co_return answer;
    }
    const int status = std::atoi(std::string(head.substr(9, 3)).c_str());
    bool chunked = false;
    bool close_after = false;
    std::optional<size_t> length;
    size_t line_start = head.find("\r\n");
    while (line_start != std::string_view::npos && line_start < head.size()) {
      line_start += 2;
      size_t line_end = head.find("\r\n", line_start);
      std::string_view line =
          head.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                     : line_end - line_start);
      std::string_view value;
      if (HeaderIs(line, "content-length", &value)) {
        length = std::strtoull(std::string(value).c_str(), nullptr, 10);
      } else if (HeaderIs(line, "transfer-encoding", &value)) {
        chunked = value.find("chunked") != std::string_view::npos;
      } else if (HeaderIs(line, "connection", &value)) {
        close_after = value.find("close") != std::string_view::npos;
      } else if (HeaderIs(line, "etag", &value)) {
        answer.etag = std::string(value);
      } else if (HeaderIs(line, "retry-after", &value)) {
        answer.retry_after_s = std::atoi(std::string(value).c_str());
      }
      line_start = line_end;
    }
    size_t pos = head_end + 4;
    if (status == 204 || status == 304 || status < 200) {
      length = 0;
      chunked = false;
    }
    if (chunked) {
      for (;;) {
        size_t line_end;
        while ((line_end = in_.find("\r\n", pos)) == std::string::npos) {
          if (co_await ReadMore(&answer.error) <= 0) {
            Close();
            co_return HttpAnswer{0, "chunked answer cut short", "", ""};
          }
        }
        const size_t size = std::strtoull(in_.c_str() + pos, nullptr, 16);
        pos = line_end + 2;
        if (size == 0) {
          // Trailer fields, then an empty line.
          for (;;) {
            line_end = in_.find("\r\n", pos);
            if (line_end == pos) break;
            if (line_end != std::string::npos) {
              pos = line_end + 2;
            } else if (co_await ReadMore(&answer.error) <= 0) {
              Close();
              co_return HttpAnswer{0, "chunked answer cut short", "", ""};
            }
          }
          break;
        }
        if (!co_await Fill(pos + size + 2, &answer.error)) {
          Close();
          co_return HttpAnswer{0, answer.error, "", ""};
        }
        answer.body.append(in_, pos, size);
        pos += size + 2;
      }
    } else if (length) {
      if (!co_await Fill(pos + *length, &answer.error)) {
        Close();
        co_return HttpAnswer{0, answer.error, "", ""};
      }
      answer.body.assign(in_, pos, *length);
    } else {
      for (;;) {
        const int n = co_await ReadMore(&answer.error);
        if (n <= 0) break;
      }
      answer.body.assign(in_, pos, std::string::npos);
      close_after = true;
    }
    answer.status = status;
    in_.clear();
    if (close_after) Close();
    co_return answer;
  }

  tcp::socket socket_;
  const TlsTarget& target_;
  const int source_index_;
  SSL* ssl_ = nullptr;
  std::string in_;  // bytes read and not yet taken
  int64_t reconnects_ = 0;
  bool shut_down_ = false;
};

inline std::string HttpRequestText(std::string_view method, std::string_view target,
                                   const TlsTarget& server, std::string_view extra_headers,
                                   std::string_view body) {
  std::string r;
  r.reserve(256 + body.size());
  r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  r.append(server.host_header).append("\r\nUser-Agent: warden-agent-swarm-bench\r\n");
  r.append(extra_headers);
  if (!body.empty() || method == "POST") {
    r.append("Content-Type: application/json\r\nContent-Length: ")
        .append(std::to_string(body.size()))
        .append("\r\n");
  }
  r.append("\r\n").append(body);
  return r;
}

// Event loops, one thread each; tasks are spread over them, and connections
// live in the loop that uses them (destroyed before it).
class EventLoops {
 public:
  explicit EventLoops(int threads) {
    for (int i = 0; i < threads; ++i) loops_.push_back(std::make_unique<Loop>());
  }
  ~EventLoops() { StopAndJoin(); }

  size_t size() const { return loops_.size(); }
  net::io_context& io(size_t i) { return loops_[i % loops_.size()]->io; }

  TlsConnection& NewConnection(size_t loop, const TlsTarget& target) {
    Loop& l = *loops_[loop % loops_.size()];
    const int source = static_cast<int>(next_source_++ % kSourceAddresses);
    l.connections.push_back(std::make_unique<TlsConnection>(l.io, target, source));
    return *l.connections.back();
  }

  void Spawn(size_t loop, awaitable<void> task) {
    ++live_;
    net::co_spawn(io(loop), Tracked(std::move(task), &live_), net::detached);
  }

  void Start() {
    for (auto& l : loops_) l->thread = std::thread([&io = l->io] { io.run(); });
  }

  // Until every task returned, or `timeout`; false on timeout.
  bool WaitIdle(std::chrono::milliseconds timeout) {
    const TimePoint deadline = Clock::now() + timeout;
    while (live_.load() > 0) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  // Runs `fn` on each loop's thread (closing its connections, ...).
  void OnEachLoop(const std::function<void(size_t)>& fn) {
    for (size_t i = 0; i < loops_.size(); ++i) net::post(loops_[i]->io, [fn, i] { fn(i); });
  }

  void CloseAllConnections() {
    for (size_t i = 0; i < loops_.size(); ++i) {
      Loop* l = loops_[i].get();
      net::post(l->io, [l] {
        for (auto& c : l->connections) c->Shutdown();
      });
    }
  }

  int64_t reconnects() const {
    int64_t n = 0;
    for (const auto& l : loops_)
      for (const auto& c : l->connections) n += c->reconnects();
    return n;
  }

  void StopAndJoin() {
    for (auto& l : loops_) l->io.stop();
    for (auto& l : loops_)
      if (l->thread.joinable()) l->thread.join();
    for (auto& l : loops_) l->connections.clear();
  }

 private:
  struct Loop {
    net::io_context io{1};
    std::vector<std::unique_ptr<TlsConnection>> connections;  // before io is gone
    std::thread thread;
  };
  static awaitable<void> Tracked(awaitable<void> task, std::atomic<int64_t>* live) {
    co_await std::move(task);
    --*live;
  }

  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<int64_t> live_{0};
  uint64_t next_source_ = 0;
};

inline awaitable<void> SleepUntil(TimePoint when) {
  if (Clock::now() >= when) co_return;
  net::steady_timer timer(co_await net::this_coro::executor, when);
  boost::system::error_code ec;
  co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
}

}  // namespace warden::swarm
