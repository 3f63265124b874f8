// The only translation unit with Beast and Asio in it (they cost ~10 s of
// compile time each time they are included). Structure:
//   ServerCore      what connections share: options, service, TLS context,
//                   io_context, worker pool, connection registry, counters
//   RequestSink     the server's side of one HttpResponder
//   StreamChannel   the server's side of one HttpStreamWriter
//   Connection      one client connection over a SocketStream (plain or
//                   TLS); every step runs on its strand
//   HttpServer      accept loop, threads, Stop()
//
// A connection goes through these phases:
//   kHandshake -> kReading -> kHandling -> kWriting | kStreaming -> kIdle -> kReading ...
// with one timer whose meaning depends on the phase (request, response,
// write or idle timeout). While a handler runs and while a response is
// written, a "watch" read stays outstanding so that a client that goes away
// is noticed at once (long-polls are released, writers get an error); bytes
// it reads (a pipelined next request) are kept for the next kReading.
#include "server/http_server.h"

#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/encoding.h"
#include "server/http_json.h"
#include "server/socket_stream.h"
#include "server/tls_server_context.h"
#include "server/worker_pool.h"

namespace warden::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Milliseconds = std::chrono::milliseconds;
using internal::SocketStream;

// Set on the server's I/O threads, where blocking would stall thousands of
// connections.
thread_local bool t_on_io_thread = false;

// Chunks a StreamChannel holds: one being written plus one waiting.
constexpr size_t kMaxQueuedChunks = 2;
// Pipelined bytes read while a response is pending, before reading pauses.
constexpr size_t kWatchLimit = 16 * 1024;
constexpr size_t kWatchReadSize = 1024;
// Connections over max_connections that still get a 503 (the rest are
// closed at once), and how long they may take to send their request.
constexpr size_t kMaxRefusingConnections = 64;
constexpr Milliseconds kRefusingTimeout{5000};
// After an error response that closes the connection: how long, and how
// much, to read and discard so the client sees the response instead of a
// reset (see LingeringClose).
constexpr Milliseconds kLingerTimeout{2000};
constexpr size_t kLingerMaxBytes = 1024 * 1024;
constexpr size_t kMaxResponseHeaderValue = 16 * 1024;
constexpr std::string_view kRetryAfterSeconds = "5";

std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

std::string HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

std::string AddressText(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

bool IsHttpParseError(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

// Header fields the server owns: it frames every message itself.
bool IsManagedHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Keep-Alive") ||
         EqualsIgnoreCase(name, "Date");
}

// The checks every request header passes, beyond Beast's own syntax checks.
// Shared by connections and ParseHttpRequest.
Status ConvertHeader(const http::request_header<>& header, HttpRequest* out) {
  unsigned version = header.version();
  if (version != 10 && version != 11) {
    return InvalidArgument("unsupported HTTP version " + std::to_string(version / 10) + "." +
                           std::to_string(version % 10));
  }
  out->version = static_cast<int>(version);
  out->method = std::string(ToStd(header.method_string()));
  out->target = std::string(ToStd(header.target()));
  RETURN_IF_ERROR(ParseRequestTarget(out->target, out));
  int content_lengths = 0;
  int transfer_encodings = 0;
  int hosts = 0;
  for (const auto& field : header) {
    std::string_view name = ToStd(field.name_string());
    std::string_view value = ToStd(field.value());
    out->headers.Add(name, value);
    if (EqualsIgnoreCase(name, "Content-Length")) {
      ++content_lengths;
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      ++transfer_encodings;
      // Only "chunked" alone: other codings are not supported, and lists
      // are how request smuggling hides.
      if (!EqualsIgnoreCase(value, "chunked")) {
        return InvalidArgument("unsupported Transfer-Encoding '" +
                               std::string(value.substr(0, 64)) + "'");
      }
    } else if (EqualsIgnoreCase(name, "Host")) {
      ++hosts;
    }
  }
  if (content_lengths > 1) return InvalidArgument("more than one Content-Length header");
  if (transfer_encodings > 1) return InvalidArgument("more than one Transfer-Encoding header");
  if (transfer_encodings > 0 && (content_lengths > 0 || version == 10)) {
    return InvalidArgument("Transfer-Encoding with Content-Length or in HTTP/1.0");
  }
  if (hosts > 1 || (version == 11 && hosts == 0)) {
    return InvalidArgument("an HTTP/1.1 request needs exactly one Host header");
  }
  return Status::Ok();
}

std::string ParseErrorMessage(const error_code& ec, size_t max_header, size_t max_body) {
  if (ec == http::error::header_limit) {
    return "the request header is larger than " + std::to_string(max_header) + " bytes";
  }
  if (ec == http::error::body_limit) {
    return "the request body is larger than " + std::to_string(max_body) + " bytes";
  }
  return "malformed request: " + ec.message();
}

class ConnectionBase;

struct ServerCore {
  ServerCore(HttpServerOptions opts, HttpService* svc)
      : options(std::move(opts)),
        service(svc),
        workers(options.worker_threads, options.max_queued_requests) {
    unsigned char prefix[6];
    if (RAND_bytes(prefix, sizeof(prefix)) != 1) {
      auto seed =
          static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
      std::memcpy(prefix, &seed, sizeof(prefix));
    }
    id_prefix = HexEncode(prefix, sizeof(prefix));
  }

  void LogError(std::string_view message) const {
    if (!options.error_log) return;
    try {
      options.error_log(message);
    } catch (...) {
    }
  }
  std::string NewRequestId() {
    char counter[24];
    std::snprintf(counter, sizeof(counter), "%08llx",
                  static_cast<unsigned long long>(next_request_id.fetch_add(1) + 1));
    return id_prefix + "-" + counter;
  }

  const HttpServerOptions options;
  HttpService* const service;
  SslCtxPtr ssl_ctx;
  net::io_context ioc;
  WorkerPool workers;  // declared after ioc: joined before ioc is destroyed

  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> requests{0};

  // The registry of live connections, for Stop() and the connection limit.
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;                   // under mu, for the accept loop
  std::atomic<bool> stopping_flag{false};  // the same, for connections
  std::unordered_map<uint64_t, std::weak_ptr<ConnectionBase>> connections;
  size_t serving = 0;   // connections counted against max_connections
  size_t refusing = 0;  // connections being answered 503
  uint64_t next_connection_id = 0;

  std::string id_prefix;
  std::atomic<uint64_t> next_request_id{0};
};

class StreamChannel;

class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  ConnectionBase(ServerCore& core, bool refusing) : core_(core), refusing_(refusing) {}
  virtual ~ConnectionBase() {
    std::lock_guard<std::mutex> lock(core_.mu);
    core_.connections.erase(id_);
    (refusing_ ? core_.refusing : core_.serving)--;
    core_.cv.notify_all();
  }
  ConnectionBase(const ConnectionBase&) = delete;
  ConnectionBase& operator=(const ConnectionBase&) = delete;

  // Everything below may be called from any thread; the work is posted to the
  // connection's strand.
  virtual void Begin() = 0;
  // Stop(): finish the request in progress (if any) and close.
  virtual void PostShutdown() = 0;
  virtual void PostClose() = 0;
  virtual void PostResponse(uint64_t seq, HttpResponse response) = 0;
  virtual void PostStream(uint64_t seq, HttpResponse head,
                          std::shared_ptr<StreamChannel> channel) = 0;
  virtual void PostPump() = 0;
  virtual void PostAbortStream() = 0;

  // Called with core.mu held, before Begin().
  void SetId(uint64_t id) { id_ = id; }

 protected:
  ServerCore& core_;
  const bool refusing_;
  uint64_t id_ = 0;
};

class RequestSink final : public HttpResponseSink {
 public:
  RequestSink(std::weak_ptr<ConnectionBase> connection, uint64_t seq)
      : connection_(std::move(connection)), seq_(seq) {}

  bool TryDeliver(HttpResponse response) override {
    if (gone_.load() || answered_.exchange(true)) return false;
    std::shared_ptr<ConnectionBase> connection = connection_.lock();
    if (!connection) return false;
    connection->PostResponse(seq_, std::move(response));
    return true;
  }

  Result<std::shared_ptr<HttpStreamChannel>> TryStartStream(HttpResponse head) override;

  bool IsOpen() const override { return !gone_.load() && !connection_.expired(); }

  void OnClientGone(std::function<void()> callback) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!gone_.load()) {
        callbacks_.push_back(std::move(callback));
        return;
      }
    }
    callback();
  }

  // The server answers in the handler's place (response timeout); false
  // when the handler already did.
  bool TryClaim() { return !answered_.exchange(true); }

  // The connection closed before the response was complete.
  void MarkGone() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (gone_.exchange(true)) return;
      callbacks.swap(callbacks_);
    }
    for (auto& callback : callbacks) {
      try {
        callback();
      } catch (...) {
      }
    }
  }

 private:
  const std::weak_ptr<ConnectionBase> connection_;
  const uint64_t seq_;
  std::atomic<bool> answered_{false};
  std::atomic<bool> gone_{false};
  std::mutex mu_;
  std::vector<std::function<void()>> callbacks_;
};

class StreamChannel final : public HttpStreamChannel {
 public:
  explicit StreamChannel(std::weak_ptr<ConnectionBase> connection)
      : connection_(std::move(connection)) {}

  Status Write(std::string_view chunk) override {
    if (t_on_io_thread) {
      return Internal("HttpStreamWriter::Write was called on an I/O thread; use a worker thread");
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return closed_ || queue_.size() < kMaxQueuedChunks; });
      if (closed_) return result_.ok() ? Unavailable("the response body was finished") : result_;
      queue_.emplace_back(chunk);
    }
    Pump();
    return Status::Ok();
  }

  Status Finish() override {
    if (t_on_io_thread) {
      return Internal("HttpStreamWriter::Finish was called on an I/O thread; use a worker thread");
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return result_;
      finish_requested_ = true;
    }
    Pump();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return closed_; });
    return result_;
  }

  void Abort() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      closed_ = true;
      result_ = Unavailable("the response body was abandoned by its writer");
    }
    cv_.notify_all();
    if (std::shared_ptr<ConnectionBase> connection = connection_.lock()) {
      connection->PostAbortStream();
    }
  }

  // The connection's side, on its strand. The chunk stays in the queue (and
  // counts against the limit) until it has been written.
  const std::string* Front() {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.empty() ? nullptr : &queue_.front();
  }
  void PopFront() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.pop_front();
    }
    cv_.notify_all();
  }
  bool ReadyToEnd() {
    std::lock_guard<std::mutex> lock(mu_);
    return finish_requested_ && queue_.empty() && !closed_;
  }
  bool Abandoned() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ && !result_.ok();
  }
  // Ends the channel: OK when the whole body was written.
  void Close(Status result) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      closed_ = true;
      result_ = std::move(result);
      queue_.clear();
    }
    cv_.notify_all();
  }

 private:
  void Pump() {
    if (std::shared_ptr<ConnectionBase> connection = connection_.lock()) connection->PostPump();
  }

  const std::weak_ptr<ConnectionBase> connection_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // deque: references survive push_back
  bool finish_requested_ = false;
  bool closed_ = false;
  Status result_;
};

Result<std::shared_ptr<HttpStreamChannel>> RequestSink::TryStartStream(HttpResponse head) {
  if (!head.body.empty()) {
    return InvalidArgument("the head of a streamed response must have an empty body");
  }
  if (gone_.load()) return Unavailable("the client has gone away");
  if (answered_.exchange(true)) return Unavailable("this request was already answered");
  std::shared_ptr<ConnectionBase> connection = connection_.lock();
  if (!connection) return Unavailable("the client has gone away");
  auto channel = std::make_shared<StreamChannel>(connection_);
  connection->PostStream(seq_, std::move(head), channel);
  return std::shared_ptr<HttpStreamChannel>(channel);
}

// Copies a handler's status and headers into a Beast header, adding the
// headers every response carries. False (with the reason) when the response
// cannot be sent as it is.
bool FillResponseHeader(const HttpResponse& response, const std::string& request_id, bool tls,
                        http::response_header<>* out, std::string* problem) {
  if (response.status < 200 || response.status > 599) {
    *problem = "status " + std::to_string(response.status) + " is not a final HTTP status";
    return false;
  }
  out->result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers.fields()) {
    if (!IsValidHeaderName(name) || !IsValidHeaderValue(value) || name.size() > 256 ||
        value.size() > kMaxResponseHeaderValue) {
      *problem = "response header '" + name.substr(0, 64) + "' has an invalid name or value";
      return false;
    }
    if (IsManagedHeader(name) || EqualsIgnoreCase(name, "X-Request-Id")) continue;
    out->insert(name, value);
  }
  out->set("X-Request-Id", request_id);
  out->set(http::field::date, HttpDate());
  if (!response.headers.Has("Cache-Control")) out->set(http::field::cache_control, "no-store");
  if (!response.headers.Has("X-Content-Type-Options"))
    out->set("X-Content-Type-Options", "nosniff");
  if (!response.headers.Has("Referrer-Policy")) out->set("Referrer-Policy", "no-referrer");
  if (tls && !response.headers.Has("Strict-Transport-Security")) {
    out->set("Strict-Transport-Security", "max-age=31536000");
  }
  return true;
}

void RunHandler(ServerCore& core, const RequestPlan::Handler& run, HttpRequest& request,
                const HttpResponder& responder);

enum class Phase {
  kHandshake,
  kReading,    // request header and body (and a 100 Continue)
  kHandling,   // waiting for the handler's answer
  kWriting,    // a complete response
  kStreaming,  // a chunked response
  kIdle,       // between requests
  kLingering,  // discarding input before closing
  kClosed,
};

class Connection final : public ConnectionBase {
 public:
  // `ssl` null: plain TCP.
  Connection(ServerCore& core, bool refusing, tcp::socket socket, SSL* ssl)
      : ConnectionBase(core, refusing),
        stream_(ssl != nullptr ? SocketStream(std::move(socket), ssl)
                               : SocketStream(std::move(socket))),
        tls_(ssl != nullptr),
        timer_(stream_.get_executor()) {}

  void Begin() override {
    Post([](Connection& c) { c.Start(); });
  }
  void PostShutdown() override {
    Post([](Connection& c) { c.OnShutdown(); });
  }
  void PostClose() override {
    Post([](Connection& c) { c.Close(); });
  }
  void PostResponse(uint64_t seq, HttpResponse response) override {
    net::post(stream_.get_executor(), [self = Self(), seq, r = std::move(response)]() mutable {
      self->OnResponse(seq, std::move(r));
    });
  }
  void PostStream(uint64_t seq, HttpResponse head,
                  std::shared_ptr<StreamChannel> channel) override {
    net::post(stream_.get_executor(),
              [self = Self(), seq, h = std::move(head), ch = std::move(channel)]() mutable {
                self->OnStream(seq, std::move(h), std::move(ch));
              });
  }
  void PostPump() override {
    Post([](Connection& c) { c.PumpStream(); });
  }
  void PostAbortStream() override {
    Post([](Connection& c) {
      if (c.phase_ == Phase::kStreaming) c.Close();
    });
  }

 private:
  std::shared_ptr<Connection> Self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  template <class F>
  void Post(F f) {
    net::post(stream_.get_executor(), [self = Self(), f]() { f(*self); });
  }
  tcp::socket& Socket() { return stream_.socket(); }
  bool HasBufferedInput() const { return buffer_.size() > 0 || stream_.HasBufferedInput(); }
  Milliseconds RequestTimeout() const {
    return refusing_ ? std::min(kRefusingTimeout, core_.options.request_timeout)
                     : core_.options.request_timeout;
  }

  // --- timer: one deadline, its meaning set by the phase ---
  void Arm(Milliseconds timeout) {
    uint64_t generation = ++timer_generation_;
    timer_.expires_after(timeout);
    timer_.async_wait([self = Self(), generation](error_code ec) {
      if (ec || generation != self->timer_generation_ || self->phase_ == Phase::kClosed) return;
      self->OnTimeout();
    });
  }
  void Disarm() {
    ++timer_generation_;
    timer_.cancel();
  }
  void OnTimeout() {
    error_code ignored;
    switch (phase_) {
      case Phase::kHandshake:
        Close();
        return;
      case Phase::kReading:
        // Shut the receiving side: every later read sees end-of-stream, so
        // the read in progress ends even if it is between two socket reads
        // right now (a cancel() would miss it then). OnReadError answers 408
        // when part of a request had arrived; the sending side still works.
        timed_out_ = true;
        Socket().shutdown(tcp::socket::shutdown_receive, ignored);
        Socket().cancel(ignored);
        return;
      case Phase::kHandling:
        if (sink_ && sink_->TryClaim()) {
          core_.LogError("request " + access_id_ + " (" + access_method_ + " " + access_target_ +
                         "): the handler did not answer within the response timeout");
          WriteResponse(ErrorResponse(api::kErrorTimeout, "the server did not answer in time"));
        }
        return;
      case Phase::kIdle:
      case Phase::kWriting:
      case Phase::kStreaming:
      case Phase::kLingering:
        Close();
        return;
      case Phase::kClosed:
        return;
    }
  }

  // --- reading a request ---
  void Start() {
    error_code ec;
    tcp::endpoint peer = Socket().remote_endpoint(ec);
    if (ec) return Close();
    peer_address_ = AddressText(peer.address());
    peer_port_ = peer.port();
    Socket().set_option(tcp::no_delay(true), ec);
    if (!stream_.usable()) return Close();
    if (tls_) {
      phase_ = Phase::kHandshake;
      Arm(RequestTimeout());
      stream_.async_handshake([self = Self()](error_code e, size_t) {
        if (self->phase_ == Phase::kClosed) return;
        if (e) return self->Close();  // scanners, clients that do not trust us: nothing to answer
        self->ReadRequest(/*arm_timer=*/false);
      });
    } else {
      ReadRequest(/*arm_timer=*/true);
    }
  }

  void ReadRequest(bool arm_timer) {
    phase_ = Phase::kReading;
    timed_out_ = false;
    head_request_ = false;
    version_ = 11;
    access_method_.clear();
    access_target_.clear();
    request_start_ = std::chrono::steady_clock::now();
    slow_timeout_ = Milliseconds(0);
    if (arm_timer) Arm(RequestTimeout());
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<size_t>(core_.options.max_header_bytes, UINT32_MAX)));
    // The route decides the body limit once the header is known (OnHeader).
    parser_->body_limit(boost::none);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(error_code ec) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return OnReadError(ec);
    request_ = HttpRequest();
    request_.peer_address = peer_address_;
    request_.peer_port = peer_port_;
    request_.tls = tls_;
    Status converted = ConvertHeader(parser_->get(), &request_);
    std::optional<std::string_view> client_id = request_.headers.Get("X-Request-Id");
    request_.id =
        client_id && IsValidRequestId(*client_id) ? std::string(*client_id) : core_.NewRequestId();
    access_id_ = request_.id;
    access_method_ = request_.method;
    access_target_ = request_.target.substr(0, 2048);
    version_ = request_.version;
    head_request_ = request_.method == "HEAD";
    keep_alive_ = parser_->get().keep_alive();
    if (!converted.ok()) return FailRequest(api::kErrorBadRequest, converted.message());
    if (refusing_) {
      return FailRequest(api::kErrorOverloaded,
                         "the server has too many open connections; retry later");
    }
    plan_ = RequestPlan();
    try {
      plan_ = core_.service->Plan(request_);
    } catch (const std::exception& e) {
      core_.LogError(std::string("HttpService::Plan threw: ") + e.what());
      plan_.run = nullptr;
    } catch (...) {
      plan_.run = nullptr;
    }
    if (!plan_.run) return FailRequest(api::kErrorInternal, "the request could not be routed");
    boost::optional<std::uint64_t> length = parser_->content_length();
    if (length && *length > plan_.max_body_bytes) {
      return FailRequest(
          api::kErrorPayloadTooLarge,
          "the request body is larger than " + std::to_string(plan_.max_body_bytes) + " bytes");
    }
    parser_->body_limit(plan_.max_body_bytes);
    slow_timeout_ = plan_.slow_timeout;
    if (slow_timeout_.count() > 0) Arm(slow_timeout_);
    if (parser_->is_done()) return OnBody({});
    std::optional<std::string_view> expect = request_.headers.Get("Expect");
    if (expect && version_ == 11 && EqualsIgnoreCase(*expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = Self()](error_code e, size_t) {
                         if (self->phase_ == Phase::kClosed) return;
                         if (e) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = Self()](error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnReadError(error_code ec) {
    bool got_some = (parser_ && parser_->got_some()) || buffer_.size() > 0;
    if (timed_out_) {
      if (got_some && phase_ == Phase::kReading) {
        return FailRequest(api::kErrorRequestTimeout,
                           "the request did not arrive within the request timeout");
      }
      return Close();
    }
    if (ec == http::error::header_limit) {
      return FailRequest(api::kErrorHeadersTooLarge,
                         ParseErrorMessage(ec, core_.options.max_header_bytes, 0));
    }
    if (ec == http::error::body_limit) {
      return FailRequest(api::kErrorPayloadTooLarge,
                         ParseErrorMessage(ec, 0, plan_.max_body_bytes));
    }
    if (IsHttpParseError(ec) && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return FailRequest(api::kErrorBadRequest, ParseErrorMessage(ec, 0, 0));
    }
    Close();  // the client closed or reset the connection
  }

  void OnBody(error_code ec) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return OnReadError(ec);
    core_.requests.fetch_add(1);
    request_.body = parser_->release().body();
    parser_.reset();
    phase_ = Phase::kHandling;
    Arm(slow_timeout_.count() > 0 ? slow_timeout_ : core_.options.response_timeout);
    sink_ = std::make_shared<RequestSink>(weak_from_this(), ++seq_);
    StartWatch();
    HttpResponder responder(sink_);
    RequestPlan::Handler run = std::move(plan_.run);
    bool run_inline = plan_.run_inline;
    plan_.run = nullptr;
    if (run_inline) {
      RunHandler(core_, run, request_, responder);
      return;
    }
    ServerCore* core = &core_;
    bool queued = core_.workers.TrySubmit(
        [core, run = std::move(run), request = std::move(request_), responder]() mutable {
          RunHandler(*core, run, request, responder);
        });
    if (!queued) {
      responder.Send(ErrorResponse(api::kErrorOverloaded, "the server is busy; retry later"));
    }
  }

  // --- noticing a client that goes away while its request is served ---
  void StartWatch() {
    if (watch_pending_ || phase_ == Phase::kClosed || buffer_.size() >= kWatchLimit) return;
    watch_pending_ = true;
    stream_.async_read_some(buffer_.prepare(kWatchReadSize),
                            [self = Self()](error_code ec, size_t n) { self->OnWatch(ec, n); });
  }

  void OnWatch(error_code ec, size_t n) {
    watch_pending_ = false;
    if (phase_ == Phase::kClosed) return;
    if (!ec) buffer_.commit(n);
    if (phase_ == Phase::kLingering) return LingerRead();
    if (resume_after_watch_) {
      // WaitForNextRequest cancelled the watch to serve buffered input.
      resume_after_watch_ = false;
      return ReadRequest(/*arm_timer=*/true);
    }
    if (ec) {
      // EOF or reset: the client is gone, or has at least stopped sending.
      // A write already under way is let finish (a client that only
      // half-closed still reads it; one that is gone makes it fail); the
      // connection closes after it.
      peer_gone_ = true;
      close_after_ = true;
      if (phase_ == Phase::kWriting || (phase_ == Phase::kStreaming && stream_writing_)) return;
      return Close();
    }
    if (phase_ == Phase::kIdle) return ReadRequest(/*arm_timer=*/true);
    StartWatch();
  }

  // --- writing a complete response ---
  void OnResponse(uint64_t seq, HttpResponse response) {
    if (phase_ != Phase::kHandling || seq != seq_) return;
    WriteResponse(std::move(response));
  }

  // An error found by the server itself; the connection closes after it.
  void FailRequest(std::string_view code, const std::string& message) {
    if (access_id_.empty()) access_id_ = core_.NewRequestId();
    close_after_ = true;
    HttpResponse response = ErrorResponse(code, message);
    if (response.status == 503) response.headers.Set("Retry-After", kRetryAfterSeconds);
    WriteResponse(std::move(response));
  }

  void WriteResponse(HttpResponse response) {
    phase_ = Phase::kWriting;
    parser_.reset();
    if (core_.stopping_flag.load() || !keep_alive_) close_after_ = true;
    response_.emplace();
    std::string problem;
    bool built = false;
    try {
      built = FillResponseHeader(response, access_id_, tls_, &response_->base(), &problem);
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (!built) {
      core_.LogError("request " + access_id_ + ": unusable response: " + problem);
      response =
          ErrorResponse(api::kErrorInternal, "internal error (request id " + access_id_ + ")");
      response_.emplace();
      FillResponseHeader(response, access_id_, tls_, &response_->base(), &problem);
    }
    status_ = response.status;
    response_->version(static_cast<unsigned>(version_));
    response_->keep_alive(!close_after_);
    bool no_body = response.status == 204 || response.status == 304;
    size_t body_size = no_body ? 0 : response.body.size();
    body_bytes_ = head_request_ ? 0 : body_size;
    Arm(core_.options.write_timeout);
    StartWatch();
    if (head_request_ || no_body) {
      if (!no_body) response_->content_length(body_size);
      serializer_.emplace(*response_);
      http::async_write_header(stream_, *serializer_, [self = Self()](error_code ec, size_t) {
        self->OnResponseWritten(ec);
      });
      return;
    }
    response_->body() = std::move(response.body);
    response_->prepare_payload();
    http::async_write(stream_, *response_,
                      [self = Self()](error_code ec, size_t) { self->OnResponseWritten(ec); });
  }

  void OnResponseWritten(error_code ec) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return Close();
    FinishResponse();
  }

  // --- writing a chunked response ---
  void OnStream(uint64_t seq, HttpResponse head, std::shared_ptr<StreamChannel> channel) {
    if (phase_ != Phase::kHandling || seq != seq_) {
      channel->Close(Unavailable("the client has gone away"));
      return;
    }
    phase_ = Phase::kStreaming;
    channel_ = std::move(channel);
    stream_head_written_ = false;
    stream_writing_ = false;
    if (core_.stopping_flag.load() || !keep_alive_) close_after_ = true;
    // HTTP/1.0 has no chunked encoding: the body goes unframed and ends
    // with the connection.
    chunked_ = version_ == 11;
    if (!chunked_) close_after_ = true;
    stream_head_.emplace();
    std::string problem;
    bool built = false;
    try {
      built = FillResponseHeader(head, access_id_, tls_, &stream_head_->base(), &problem);
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (!built) {
      core_.LogError("request " + access_id_ + ": unusable streamed response: " + problem);
      channel_->Close(InvalidArgument("unusable response head: " + problem));
      channel_.reset();
      phase_ = Phase::kHandling;
      return WriteResponse(
          ErrorResponse(api::kErrorInternal, "internal error (request id " + access_id_ + ")"));
    }
    status_ = head.status;
    body_bytes_ = 0;
    stream_head_->version(static_cast<unsigned>(version_));
    stream_head_->keep_alive(!close_after_);
    if (chunked_) stream_head_->chunked(true);
    head_serializer_.emplace(*stream_head_);
    Arm(core_.options.write_timeout);
    stream_writing_ = true;
    StartWatch();
    http::async_write_header(stream_, *head_serializer_, [self = Self()](error_code ec, size_t) {
      self->OnStreamHeadWritten(ec);
    });
  }

  void OnStreamHeadWritten(error_code ec) {
    stream_writing_ = false;
    if (phase_ == Phase::kClosed)
      return channel_->Close(Unavailable("the client connection closed"));
    if (ec) return Close();
    stream_head_written_ = true;
    if (head_request_) {
      channel_->Close(Unavailable("HEAD request: the response has no body"));
      return FinishResponse();
    }
    if (peer_gone_) return Close();
    Disarm();  // no deadline while the producer prepares its next chunk
    PumpStream();
  }

  void PumpStream() {
    if (phase_ != Phase::kStreaming || !stream_head_written_ || stream_writing_) return;
    if (channel_->Abandoned()) return Close();
    if (const std::string* chunk = channel_->Front()) {
      stream_writing_ = true;
      Arm(core_.options.write_timeout);
      auto done = [self = Self(), size = chunk->size()](error_code ec, size_t) {
        self->OnChunkWritten(ec, size);
      };
      if (chunked_) {
        net::async_write(stream_, http::make_chunk(net::buffer(*chunk)), std::move(done));
      } else {
        net::async_write(stream_, net::buffer(*chunk), std::move(done));
      }
      return;
    }
    if (channel_->ReadyToEnd()) {
      stream_writing_ = true;
      Arm(core_.options.write_timeout);
      if (!chunked_) return OnStreamEnd({});
      net::async_write(stream_, http::make_chunk_last(),
                       [self = Self()](error_code ec, size_t) { self->OnStreamEnd(ec); });
    }
  }

  void OnChunkWritten(error_code ec, size_t size) {
    stream_writing_ = false;
    if (phase_ == Phase::kClosed)
      return channel_->Close(Unavailable("the client connection closed"));
    if (ec) return Close();
    body_bytes_ += size;
    channel_->PopFront();
    if (peer_gone_) return Close();  // the producer's next Write fails
    Disarm();
    PumpStream();
  }

  void OnStreamEnd(error_code ec) {
    stream_writing_ = false;
    // Whether the body got out is the final write's result, even when the
    // connection was closed meanwhile (a client that left right after the
    // last byte, Stop()): that is what the producer's Finish() reports.
    channel_->Close(ec ? Unavailable("the client connection closed") : Status::Ok());
    if (phase_ == Phase::kClosed) return;
    if (ec) return Close();
    FinishResponse();
  }

  // --- between requests ---
  void FinishResponse() {
    LogAccess();
    sink_.reset();
    channel_.reset();
    response_.reset();
    serializer_.reset();
    stream_head_.reset();
    head_serializer_.reset();
    request_ = HttpRequest();
    if (close_after_) return LingeringClose();
    WaitForNextRequest();
  }

  void WaitForNextRequest() {
    phase_ = Phase::kIdle;
    access_id_.clear();
    if (shutting_down_) return Close();
    Arm(core_.options.idle_timeout);
    if (watch_pending_) {
      // The watch read doubles as the idle read. If a pipelined request is
      // already buffered, stop it and serve that request now.
      if (HasBufferedInput()) {
        resume_after_watch_ = true;
        error_code ignored;
        Socket().cancel(ignored);
      }
      return;
    }
    if (HasBufferedInput()) return ReadRequest(/*arm_timer=*/true);
    // Idle: no buffer, no parser, just a wait for readability.
    buffer_.shrink_to_fit();
    Socket().async_wait(tcp::socket::wait_read, [self = Self()](error_code ec) {
      if (self->phase_ != Phase::kIdle) return;
      if (ec) return self->Close();
      self->ReadRequest(/*arm_timer=*/true);
    });
  }

  void OnShutdown() {
    shutting_down_ = true;
    if (phase_ == Phase::kIdle) Close();
  }

  // --- closing ---
  // After a response that ends the connection: stop sending, then read and
  // discard what the client is still sending for a short while. Closing a
  // socket with unread input makes the kernel send a reset, which can
  // destroy the response before the client reads it (a 413 while the client
  // is still uploading, for one).
  void LingeringClose() {
    phase_ = Phase::kLingering;
    stream_.ShutdownQuietly();
    error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    Arm(kLingerTimeout);
    linger_buffer_ = std::make_unique<char[]>(4096);
    lingered_ = 0;
    if (watch_pending_) {
      Socket().cancel(ignored);  // OnWatch continues with LingerRead
      return;
    }
    LingerRead();
  }

  void LingerRead() {
    Socket().async_read_some(net::buffer(linger_buffer_.get(), 4096),
                             [self = Self()](error_code ec, size_t n) {
                               if (self->phase_ != Phase::kLingering) return;
                               self->lingered_ += n;
                               if (ec || self->lingered_ > kLingerMaxBytes) return self->Close();
                               self->LingerRead();
                             });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    Disarm();
    if (sink_) sink_->MarkGone();
    // With a write under way, its completion (which always runs) settles
    // the writer's result.
    if (channel_ && !stream_writing_) channel_->Close(Unavailable("the client connection closed"));
    error_code ignored;
    Socket().close(ignored);
  }

  void LogAccess() {
    if (!core_.options.access_log) return;
    HttpAccessLogEntry entry;
    entry.request_id = access_id_;
    entry.method = access_method_;
    entry.target = access_target_;
    entry.peer_address = peer_address_;
    entry.status = status_;
    entry.body_bytes = body_bytes_;
    entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - request_start_);
    entry.tls = tls_;
    try {
      core_.options.access_log(entry);
    } catch (...) {
    }
  }

  SocketStream stream_;
  const bool tls_;
  net::steady_timer timer_;
  uint64_t timer_generation_ = 0;
  beast::flat_buffer buffer_;
  Phase phase_ = Phase::kHandshake;

  std::string peer_address_;
  uint16_t peer_port_ = 0;

  // The request being read or served.
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest request_;
  RequestPlan plan_;
  Milliseconds slow_timeout_{0};  // the plan's, kept while its handler runs
  uint64_t seq_ = 0;
  int version_ = 11;
  bool head_request_ = false;
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool timed_out_ = false;
  bool shutting_down_ = false;
  bool watch_pending_ = false;
  bool resume_after_watch_ = false;
  bool peer_gone_ = false;  // the watch read saw EOF or an error
  std::shared_ptr<RequestSink> sink_;
  std::chrono::steady_clock::time_point request_start_;
  std::string access_id_;
  std::string access_method_;
  std::string access_target_;
  int status_ = 0;
  uint64_t body_bytes_ = 0;

  // The response being written.
  std::optional<http::response<http::string_body>> response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  std::optional<http::response<http::empty_body>> stream_head_;
  std::optional<http::response_serializer<http::empty_body>> head_serializer_;
  std::shared_ptr<StreamChannel> channel_;
  bool chunked_ = true;
  bool stream_head_written_ = false;
  bool stream_writing_ = false;

  std::unique_ptr<char[]> linger_buffer_;
  size_t lingered_ = 0;
};

void RunHandler(ServerCore& core, const RequestPlan::Handler& run, HttpRequest& request,
                const HttpResponder& responder) {
  try {
    run(request, responder);
  } catch (const std::exception& e) {
    core.LogError("request " + request.id + " (" + request.method + " " + request.path +
                  "): the handler threw: " + e.what());
    responder.Send(
        ErrorResponse(api::kErrorInternal, "internal error (request id " + request.id + ")"));
  } catch (...) {
    core.LogError("request " + request.id + ": the handler threw a non-standard exception");
    responder.Send(
        ErrorResponse(api::kErrorInternal, "internal error (request id " + request.id + ")"));
  }
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(std::shared_ptr<ServerCore> c)
      : core(std::move(c)),
        strand(net::make_strand(core->ioc)),
        acceptor(strand),
        accept_retry(strand) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(core->ioc), [this](error_code ec, tcp::socket socket) {
      OnAccept(ec, std::move(socket));
    });
  }

  void OnAccept(error_code ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
      // Out of file descriptors, most likely: back off instead of spinning.
      core->LogError("accept on port " + std::to_string(port) + ": " + ec.message());
      accept_retry.expires_after(Milliseconds(100));
      accept_retry.async_wait([this](error_code e) {
        if (!e && acceptor.is_open()) Accept();
      });
      return;
    }
    core->accepted.fetch_add(1);
    std::shared_ptr<ConnectionBase> connection;
    {
      std::lock_guard<std::mutex> lock(core->mu);
      if (core->stopping) return;  // the socket closes on return
      bool refusing = core->serving >= core->options.max_connections;
      if (refusing) core->refused.fetch_add(1);
      if (refusing && core->refusing >= kMaxRefusingConnections) {
        Accept();
        return;
      }
      SSL* ssl = nullptr;
      if (core->ssl_ctx) {
        ssl = SSL_new(core->ssl_ctx.get());
        if (ssl == nullptr) {
          core->LogError("cannot create a TLS session: " + TakeOpensslError());
          Accept();
          return;
        }
      }
      connection = std::make_shared<Connection>(*core, refusing, std::move(socket), ssl);
      uint64_t id = ++core->next_connection_id;
      connection->SetId(id);
      core->connections.emplace(id, connection);
      (refusing ? core->refusing : core->serving)++;
    }
    connection->Begin();
    Accept();
  }

  std::vector<std::shared_ptr<ConnectionBase>> LiveConnections() {
    std::vector<std::shared_ptr<ConnectionBase>> out;
    std::lock_guard<std::mutex> lock(core->mu);
    for (auto& [id, weak] : core->connections) {
      if (std::shared_ptr<ConnectionBase> c = weak.lock()) out.push_back(std::move(c));
    }
    return out;
  }

  std::shared_ptr<ServerCore> core;
  net::strand<net::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> io_threads;
  uint16_t port = 0;
  bool stopped = false;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(Milliseconds(0)); }

uint16_t HttpServer::port() const { return impl_->port; }

HttpServerStats HttpServer::stats() const {
  HttpServerStats stats;
  stats.connections_accepted = impl_->core->accepted.load();
  stats.connections_refused = impl_->core->refused.load();
  stats.requests = impl_->core->requests.load();
  stats.queued_requests = impl_->core->workers.queued();
  std::lock_guard<std::mutex> lock(impl_->core->mu);
  stats.open_connections = impl_->core->connections.size();
  return stats;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                      HttpService* service) {
  if (service == nullptr) return InvalidArgument("HttpServer needs a service");
  bool has_tls_files = !options.tls_cert_chain_file.empty() || !options.tls_key_file.empty();
  if (options.plaintext && has_tls_files) {
    return InvalidArgument("server options: plaintext is set together with TLS certificate files");
  }
  if (!options.plaintext && (options.tls_cert_chain_file.empty() || options.tls_key_file.empty())) {
    return InvalidArgument(
        "server options: TLS needs both a certificate chain and a key file (plain HTTP must be "
        "asked for explicitly)");
  }
  if (options.io_threads < 1 || options.worker_threads < 1) {
    return InvalidArgument("server options: io_threads and worker_threads must be at least 1");
  }
  if (options.max_connections < 1 || options.max_header_bytes < 64) {
    return InvalidArgument("server options: max_connections or max_header_bytes is too small");
  }
  for (Milliseconds timeout : {options.request_timeout, options.idle_timeout,
                               options.response_timeout, options.write_timeout}) {
    if (timeout.count() <= 0) return InvalidArgument("server options: timeouts must be positive");
  }
  error_code ec;
  net::ip::address address = net::ip::make_address(options.address, ec);
  if (ec) {
    return InvalidArgument("server options: listen address '" + options.address +
                           "' is not an IP address");
  }
  std::string where = "listen on " + options.address + ":" + std::to_string(options.port);

  SslCtxPtr ssl_ctx;
  if (!options.plaintext) {
    ASSIGN_OR_RETURN(ssl_ctx,
                     MakeServerTlsContext(options.tls_cert_chain_file, options.tls_key_file));
  }
  auto core = std::make_shared<ServerCore>(std::move(options), service);
  core->ssl_ctx = std::move(ssl_ctx);
  auto impl = std::make_unique<Impl>(core);

  tcp::endpoint endpoint(address, core->options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && address.is_v6() && address.to_v6().is_unspecified()) {
    impl->acceptor.set_option(net::ip::v6_only(false), ec);
  }
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return IoError(where + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint(ec).port();
  if (ec) return IoError(where + ": " + ec.message());

  impl->work.emplace(core->ioc.get_executor());
  for (int i = 0; i < core->options.io_threads; ++i) {
    impl->io_threads.emplace_back([core] {
      t_on_io_thread = true;
      for (;;) {
        try {
          core->ioc.run();
          return;
        } catch (const std::exception& e) {
          core->LogError(std::string("I/O thread: unexpected exception: ") + e.what());
        }
      }
    });
  }
  Impl* raw = impl.get();
  net::post(impl->strand, [raw] { raw->Accept(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::Stop(Milliseconds grace) {
  Impl& impl = *impl_;
  if (impl.stopped) return;
  impl.stopped = true;
  ServerCore& core = *impl.core;
  {
    std::lock_guard<std::mutex> lock(core.mu);
    core.stopping = true;
  }
  core.stopping_flag.store(true);
  std::promise<void> acceptor_closed;
  net::post(impl.strand, [&impl, &acceptor_closed] {
    error_code ignored;
    impl.acceptor.close(ignored);
    impl.accept_retry.cancel();
    acceptor_closed.set_value();
  });
  acceptor_closed.get_future().wait();

  for (auto& connection : impl.LiveConnections()) connection->PostShutdown();
  {
    std::unique_lock<std::mutex> lock(core.mu);
    core.cv.wait_for(lock, grace, [&] { return core.connections.empty(); });
  }
  for (auto& connection : impl.LiveConnections()) connection->PostClose();
  {
    std::unique_lock<std::mutex> lock(core.mu);
    core.cv.wait(lock, [&] { return core.connections.empty(); });
  }
  impl.work.reset();
  core.ioc.stop();
  for (std::thread& t : impl.io_threads) t.join();
  impl.io_threads.clear();
  core.workers.Shutdown();
}

Result<HttpRequest> ParseHttpRequest(std::string_view bytes, size_t max_header_bytes,
                                     size_t max_body_bytes, size_t* consumed) {
  *consumed = 0;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(std::min<size_t>(max_header_bytes, UINT32_MAX)));
  parser.body_limit(boost::none);
  size_t used = 0;
  error_code ec;
  auto feed = [&]() {
    size_t n = parser.put(net::const_buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    return n;
  };
  while (!parser.is_header_done()) {
    size_t n = feed();
    if (n == 0 && (!ec || ec == http::error::need_more)) {
      return ParseError("incomplete request header");
    }
    if (ec && ec != http::error::need_more) {
      return ParseError(ParseErrorMessage(ec, max_header_bytes, max_body_bytes));
    }
  }
  HttpRequest request;
  RETURN_IF_ERROR(ConvertHeader(parser.get(), &request));
  boost::optional<std::uint64_t> length = parser.content_length();
  if (length && *length > max_body_bytes) {
    return ParseError(ParseErrorMessage(http::error::body_limit, max_header_bytes, max_body_bytes));
  }
  parser.body_limit(max_body_bytes);
  while (!parser.is_done()) {
    size_t n = feed();
    // No progress: the body needs bytes that are not there.
    if (n == 0 && (!ec || ec == http::error::need_more)) {
      return ParseError("incomplete request body");
    }
    if (ec && ec != http::error::need_more) {
      return ParseError(ParseErrorMessage(ec, max_header_bytes, max_body_bytes));
    }
  }
  request.body = parser.release().body();
  *consumed = used;
  return request;
}

}  // namespace warden::server
