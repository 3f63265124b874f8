// HttpResponder: how a handler answers a request, at once or later, from any
// thread; HttpStreamWriter: a chunked response body written piece by piece
// with back-pressure (exports, Server-Sent Events).
//
// Contract for handlers:
// - A responder is a cheap, copyable handle. The first Send() or
//   StartStream() wins; every later call is a no-op that returns false or an
//   error. When the last copy is destroyed without either, the client gets
//   500 E_NO_RESPONSE (a handler bug must not hang a client).
// - Send() may be called from any thread, at any time: when the client has
//   gone away, the server stopped or the server already answered (the
//   response timeout), it is a harmless no-op. A long-poll keeps a copy and
//   answers later; OnClientGone() tells it when to stop waiting.
// - HttpStreamWriter::Write() blocks until its chunk is on its way (at most a
//   few chunks are buffered per response), so it must not be called on an I/O
//   thread; it returns an error as soon as the body can no longer be
//   delivered (client gone, write timeout, server stopping, HEAD request), and
//   the producer should stop then.
//
// HttpResponseSink and HttpStreamChannel are the server's side of this
// contract; tests implement them to capture responses without a socket.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "core/status.h"
#include "server/http_message.h"

namespace warden::server {

// The writing end of one chunked response body. Implemented by the server.
class HttpStreamChannel {
 public:
  virtual ~HttpStreamChannel() = default;
  // Queues one chunk, blocking while the channel's buffer is full.
  virtual Status Write(std::string_view chunk) = 0;
  // Ends the body and waits until it has been written (or failed).
  virtual Status Finish() = 0;
  // Gives up on the body: the client sees a truncated response.
  virtual void Abort() = 0;
};

// The server's side of one request. All methods are thread-safe.
class HttpResponseSink {
 public:
  virtual ~HttpResponseSink() = default;
  // Delivers a complete response unless a response was already started or
  // the connection is gone; returns whether it was accepted.
  virtual bool TryDeliver(HttpResponse response) = 0;
  // Starts a chunked response with head's status and headers (its body must
  // be empty); fails like TryDeliver would.
  virtual Result<std::shared_ptr<HttpStreamChannel>> TryStartStream(HttpResponse head) = 0;
  // False once the client is known to be gone or the server has stopped.
  virtual bool IsOpen() const = 0;
  // Runs `callback` once if the client goes away before the response is
  // complete (on an I/O thread: it must not block). Runs it at once, on the
  // caller's thread, when the client is already gone.
  virtual void OnClientGone(std::function<void()> callback) = 0;
};

class HttpStreamWriter;

class HttpResponder {
 public:
  explicit HttpResponder(std::shared_ptr<HttpResponseSink> sink);

  // Answers with a complete response; false when nothing will be sent (see
  // the contract above).
  bool Send(HttpResponse response) const;
  // Answers with head's status and headers and a chunked body the writer
  // produces. Transfer-Encoding is set by the server; to an HTTP/1.0 client
  // the body goes unframed and the connection closes at its end.
  Result<HttpStreamWriter> StartStream(HttpResponse head) const;
  bool IsOpen() const;
  void OnClientGone(std::function<void()> callback) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Move-only. Destroying a writer that was not finished aborts the body.
class HttpStreamWriter {
 public:
  explicit HttpStreamWriter(std::shared_ptr<HttpStreamChannel> channel);
  HttpStreamWriter(HttpStreamWriter&& other) noexcept = default;
  HttpStreamWriter& operator=(HttpStreamWriter&& other) noexcept;
  HttpStreamWriter(const HttpStreamWriter&) = delete;
  HttpStreamWriter& operator=(const HttpStreamWriter&) = delete;
  ~HttpStreamWriter();

  // Copies `chunk` into the response, blocking while earlier chunks are
  // still waiting for the socket. An empty chunk is ignored. Worker threads
  // only: on an I/O thread it fails instead of deadlocking.
  Status Write(std::string_view chunk);
  // Ends the body and blocks until the last chunk was written; the status
  // says whether the whole body left the server.
  Status Finish();

 private:
  std::shared_ptr<HttpStreamChannel> channel_;
};

}  // namespace warden::server
