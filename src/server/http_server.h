// HttpServer: the control plane's HTTP/1.1 listener. It accepts connections
// (TLS, or plaintext when asked for explicitly), parses requests within
// limits, asks an HttpService how to handle each one, runs the handler on a
// worker pool (or inline when the service says so), and writes the answer,
// keeping connections alive between requests. It owns every thread it uses.
//
// What it guarantees, whatever the client sends:
// - Bad input never crashes the process: a malformed request gets 400 and the
//   connection is closed; a header block over `max_header_bytes` gets 431; a
//   body over the route's limit gets 413 (before it is read, when the length
//   is announced); a request that does not arrive whole within
//   `request_timeout` gets 408; an idle keep-alive connection is closed after
//   `idle_timeout`; a client that stops reading a response is dropped after
//   `write_timeout`. Beyond `max_connections` new clients get 503.
// - A client that closes its connection (or only its sending side) while its
//   request is being handled is taken as gone, as nginx does: OnClientGone
//   callbacks run and a later answer is dropped. Once a complete response is
//   being written, it is finished first.
// - An idle keep-alive connection costs a few KB and no thread (Asio, one
//   strand per connection; see socket_stream.h for TLS).
// - Every response carries X-Request-Id, X-Content-Type-Options: nosniff,
//   Referrer-Policy: no-referrer, Cache-Control: no-store unless the handler
//   set a Cache-Control, a Date, and on TLS Strict-Transport-Security.
//   Handlers cannot set Content-Length, Transfer-Encoding or Connection (the
//   server frames messages); a header with CR/LF in it turns the response into
//   a 500.
// - HEAD: the handler's response goes out without its body (Content-Length
//   is that of the body it would have sent).
//
// Not here: routing (http_router.h), authentication, TLS certificate creation
// (tls_bootstrap.h), HTTP/2, WebSocket (yet), compression, CORS.
//
// Beast and Asio live only in http_server.cc; this header has neither.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/http_message.h"
#include "server/http_responder.h"

namespace warden::server {

// How one request is to be handled, decided from its header alone (before
// the body is read).
struct RequestPlan {
  using Handler = std::function<void(HttpRequest& request, HttpResponder responder)>;
  // Larger bodies get 413 without being read.
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  // Run `run` on the I/O thread instead of the worker pool. Only for handlers
  // that never block (long-poll registration, constant answers): an I/O
  // thread serves thousands of connections.
  bool run_inline = false;
  // For uploads that may take minutes (a feed file): when set, the body has
  // this long from the header's arrival (instead of the request timeout
  // from the first byte), and the handler this long to answer (instead of
  // the response timeout).
  std::chrono::milliseconds slow_timeout{0};
  // Handles the complete request. `request` lives for the call only (move out
  // what must outlive it); answer through the responder, now or later. An
  // exception is caught and answered with 500.
  Handler run;
};

// What the server asks of the code that answers requests (HttpRouter).
class HttpService {
 public:
  virtual ~HttpService() = default;
  // Called on an I/O thread once the header has arrived; must be quick and
  // must not block. `head` is complete except for the body; the service may
  // fill head.path_params, which the handler then sees.
  virtual RequestPlan Plan(HttpRequest& head) = 0;
};

// One line of the access log, handed over after each response.
struct HttpAccessLogEntry {
  std::string_view request_id;
  std::string_view method;
  std::string_view target;
  std::string_view peer_address;
  int status = 0;
  uint64_t body_bytes = 0;                // response body bytes sent
  std::chrono::microseconds duration{0};  // from the first byte of the request
  bool tls = false;
};

struct HttpServerOptions {
  // An IP address ("127.0.0.1", "0.0.0.0", "::" for both families).
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port; see HttpServer::port()
  // TLS certificate chain (leaf first) and private key, PEM files. Required
  // unless `plaintext` is set.
  std::string tls_cert_chain_file;
  std::string tls_key_file;
  // Serve plain HTTP. Must be asked for; setting it together with TLS files
  // is an error.
  bool plaintext = false;

  int io_threads = 2;
  int worker_threads = 8;
  // Requests waiting for a worker beyond which new ones get 503.
  size_t max_queued_requests = 1024;
  // Request line plus header fields.
  size_t max_header_bytes = 8 * 1024;
  size_t max_connections = 10000;

  // From the first byte of a request (or the TCP connect, for the first one,
  // TLS handshake included) until its body has arrived.
  std::chrono::milliseconds request_timeout{30000};
  // Between requests on a keep-alive connection.
  std::chrono::milliseconds idle_timeout{120000};
  // A handler that has not started answering by then gets a 503 E_TIMEOUT
  // sent in its place (its later Send is a no-op). Long-polls must answer
  // before this.
  std::chrono::milliseconds response_timeout{60000};
  // Longest wait for the client to take one write (a response, a chunk).
  std::chrono::milliseconds write_timeout{30000};

  // Called on an I/O thread after each response; must be quick.
  std::function<void(const HttpAccessLogEntry&)> access_log;
  // Problems the server handles itself (accept failures, handler
  // exceptions); called from any thread.
  std::function<void(std::string_view message)> error_log;
};

struct HttpServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t requests = 0;             // complete requests read
  size_t open_connections = 0;
  size_t queued_requests = 0;  // waiting for a worker thread
};

class HttpServer {
 public:
  // Binds, starts the I/O and worker threads and begins accepting.
  // `service` must outlive the server. Errors name the option or address
  // ("listen on 127.0.0.1:8443: Address already in use").
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, HttpService* service);
  ~HttpServer();  // Stop(0)
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the chosen one when options.port was 0).
  uint16_t port() const;

  // Stops accepting, closes idle connections, lets requests in flight finish
  // for up to `grace` (responses then carry Connection: close), closes what
  // is left, and joins every thread after the handlers running on the
  // worker pool have returned (a writer blocked in Write is released with an
  // error). Idempotent; call it from a thread the server does not own.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  HttpServerStats stats() const;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The parse step of a connection, on a buffer instead of a socket: the same
// parser, limits and checks, so the fuzz target and tests exercise exactly
// what a client reaches. Parses one request from the start of `bytes`;
// `consumed` gets how many bytes it used. Errors say what was wrong
// (incomplete, malformed, header or body over its limit).
Result<HttpRequest> ParseHttpRequest(std::string_view bytes, size_t max_header_bytes,
                                     size_t max_body_bytes, size_t* consumed);

}  // namespace warden::server
