// SocketStream: the byte stream under Beast for one server connection, plain
// TCP or TLS. The socket is non-blocking; reads and writes are attempted
// directly (recv/sendmsg, or OpenSSL reading and writing the socket itself),
// and Asio is used only to wait until the socket is ready when an attempt
// would block. Internal to http_server.cc; never include it elsewhere (it
// pulls in Asio).
//
// Why not boost::asio::ssl::stream: it keeps four 17 KB buffers per
// connection for as long as the connection lives (two in its engine, two in
// its BIO pair), about 52 KB measured, even when idle. Here OpenSSL is given
// the socket through a small BIO, and with SSL_MODE_RELEASE_BUFFERS an idle
// connection keeps only OpenSSL's own state (~15 KB measured). One type for
// both kinds of connection also means Beast's read and write operations are
// compiled once, not twice.
//
// Contract (the AsyncReadStream/AsyncWriteStream one): at most one read and
// one write outstanding, both on the socket's executor (a strand), which
// serialises every call into the SSL object. Handlers never run inside the
// initiating call. A failed read or write leaves the stream unusable: close
// it. Data goes out with MSG_NOSIGNAL, so a peer that went away is an error,
// never SIGPIPE.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace warden::server::internal {

namespace stream_net = boost::asio;
using stream_error_code = boost::system::error_code;

// The BIO through which OpenSSL reads and writes the socket.
struct SocketBioState {
  int fd = -1;
  bool eof = false;
};

inline int SocketBioWrite(BIO* bio, const char* data, size_t size, size_t* written) {
  auto* state = static_cast<SocketBioState*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  for (;;) {
    ssize_t n = ::send(state->fd, data, size, MSG_NOSIGNAL);
    if (n >= 0) {
      *written = static_cast<size_t>(n);
      return 1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
    return 0;
  }
}

inline int SocketBioRead(BIO* bio, char* data, size_t size, size_t* read) {
  auto* state = static_cast<SocketBioState*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  for (;;) {
    ssize_t n = ::recv(state->fd, data, size, 0);
    if (n > 0) {
      *read = static_cast<size_t>(n);
      return 1;
    }
    if (n == 0) {
      state->eof = true;
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(bio);
    return 0;
  }
}

inline long SocketBioCtrl(BIO* bio, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_EOF:
      return static_cast<SocketBioState*>(BIO_get_data(bio))->eof ? 1 : 0;
    default:
      return 0;
  }
}

inline int SocketBioDestroy(BIO* bio) {
  delete static_cast<SocketBioState*>(BIO_get_data(bio));
  BIO_set_data(bio, nullptr);
  return 1;
}

inline BIO_METHOD* SocketBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "warden-socket");
    BIO_meth_set_write_ex(m, SocketBioWrite);
    BIO_meth_set_read_ex(m, SocketBioRead);
    BIO_meth_set_ctrl(m, SocketBioCtrl);
    BIO_meth_set_destroy(m, SocketBioDestroy);
    return m;
  }();
  return method;
}

class SocketStream {
 public:
  using executor_type = stream_net::ip::tcp::socket::executor_type;

  // Plain TCP.
  explicit SocketStream(stream_net::ip::tcp::socket socket) : socket_(std::move(socket)) {
    stream_error_code ec;
    socket_.non_blocking(true, ec);
    usable_ = !ec;
  }
  // TLS, server side; takes the SSL object (from the server's SSL_CTX).
  SocketStream(stream_net::ip::tcp::socket socket, SSL* ssl)
      : socket_(std::move(socket)), ssl_(ssl) {
    stream_error_code ec;
    socket_.non_blocking(true, ec);
    BIO* bio = ssl_ != nullptr && !ec ? BIO_new(SocketBioMethod()) : nullptr;
    if (bio == nullptr) return;  // usable_ stays false
    auto* state = new SocketBioState;
    state->fd = socket_.native_handle();
    BIO_set_data(bio, state);
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl_, bio, bio);
    SSL_set_accept_state(ssl_);
    usable_ = true;
  }
  ~SocketStream() {
    if (ssl_ == nullptr) return;
    // Without this, OpenSSL drops the session from the server's cache on an
    // abrupt close (a client that goes away, an idle timeout), and the
    // client's next connection cannot resume by session id. Sessions of
    // connections that failed are invalidated by OpenSSL itself.
    SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl_);
  }
  SocketStream(const SocketStream&) = delete;
  SocketStream& operator=(const SocketStream&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  stream_net::ip::tcp::socket& socket() { return socket_; }
  bool tls() const { return ssl_ != nullptr; }
  // False when setting the stream up failed (out of memory, bad socket).
  bool usable() const { return usable_; }
  // Bytes already read from the socket but not yet handed out (TLS only).
  bool HasBufferedInput() const { return ssl_ != nullptr && SSL_has_pending(ssl_) == 1; }

  // The TLS handshake; completes at once for plain TCP.
  template <class Token>
  auto async_handshake(Token&& token) {
    return Start(
        [](SocketStream& s) -> Attempt {
          if (s.ssl_ == nullptr) return {Attempt::kDone, {}, 0};
          errno = 0;
          ERR_clear_error();
          int ret = SSL_do_handshake(s.ssl_);
          return s.Classify(ret, 0);
        },
        std::forward<Token>(token));
  }

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    stream_net::mutable_buffer buffer;
    for (auto it = stream_net::buffer_sequence_begin(buffers);
         it != stream_net::buffer_sequence_end(buffers); ++it) {
      if (it->size() > 0) {
        buffer = *it;
        break;
      }
    }
    return Start([buffer](SocketStream& s) { return s.ReadOnce(buffer); },
                 std::forward<Token>(token));
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    WriteSource source;
    for (auto it = stream_net::buffer_sequence_begin(buffers);
         it != stream_net::buffer_sequence_end(buffers) && source.count < kMaxIovecs; ++it) {
      stream_net::const_buffer b = *it;
      if (b.size() > 0) source.buffers[source.count++] = b;
    }
    if (ssl_ != nullptr) source.JoinSmallBuffers();
    return Start([source = std::move(source)](SocketStream& s) { return s.WriteOnce(source); },
                 std::forward<Token>(token));
  }

  // TLS: sends close_notify if the socket takes it at once; never waits.
  void ShutdownQuietly() {
    if (ssl_ == nullptr) return;
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
  }

 private:
  static constexpr size_t kMaxIovecs = 16;
  static constexpr size_t kJoinLimit = 16 * 1024;

  // What one non-blocking attempt came to.
  struct Attempt {
    enum Outcome { kDone, kWantRead, kWantWrite } outcome;
    stream_error_code ec;
    size_t bytes;
  };

  struct WriteSource {
    stream_net::const_buffer buffers[kMaxIovecs];
    size_t count = 0;
    // TLS writes one buffer per call: small buffers (a response header and
    // its body, a chunk header and its data) are joined into one record.
    std::string joined;
    void JoinSmallBuffers() {
      if (count < 2 || buffers[0].size() >= kJoinLimit) return;
      for (size_t i = 0; i < count && joined.size() < kJoinLimit; ++i) {
        size_t take = std::min(buffers[i].size(), kJoinLimit - joined.size());
        joined.append(static_cast<const char*>(buffers[i].data()), take);
      }
    }
  };

  Attempt Classify(int ret, size_t n) {
    int saved_errno = errno;
    if (ret == 1) return {Attempt::kDone, {}, n};
    switch (SSL_get_error(ssl_, ret)) {
      case SSL_ERROR_WANT_READ:
        return {Attempt::kWantRead, {}, 0};
      case SSL_ERROR_WANT_WRITE:
        return {Attempt::kWantWrite, {}, 0};
      case SSL_ERROR_ZERO_RETURN:
        return {Attempt::kDone, stream_net::error::eof, 0};
      case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        if (saved_errno == 0) return {Attempt::kDone, stream_net::error::eof, 0};
        return {Attempt::kDone, stream_error_code(saved_errno, boost::system::system_category()),
                0};
      default: {
        unsigned long code = ERR_get_error();
        ERR_clear_error();
        return {Attempt::kDone,
                stream_error_code(static_cast<int>(code & 0x7fffffff),
                                  stream_net::error::get_ssl_category()),
                0};
      }
    }
  }

  Attempt ReadOnce(stream_net::mutable_buffer buffer) {
    if (buffer.size() == 0) return {Attempt::kDone, {}, 0};
    if (ssl_ != nullptr) {
      errno = 0;
      ERR_clear_error();
      size_t n = 0;
      int ret = SSL_read_ex(ssl_, buffer.data(), buffer.size(), &n);
      return Classify(ret, n);
    }
    for (;;) {
      ssize_t n = ::recv(socket_.native_handle(), buffer.data(), buffer.size(), 0);
      if (n > 0) return {Attempt::kDone, {}, static_cast<size_t>(n)};
      if (n == 0) return {Attempt::kDone, stream_net::error::eof, 0};
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {Attempt::kWantRead, {}, 0};
      return {Attempt::kDone, stream_error_code(errno, boost::system::system_category()), 0};
    }
  }

  Attempt WriteOnce(const WriteSource& source) {
    if (source.count == 0) return {Attempt::kDone, {}, 0};
    if (ssl_ != nullptr) {
      const void* data = source.joined.empty() ? source.buffers[0].data() : source.joined.data();
      size_t size = source.joined.empty() ? source.buffers[0].size() : source.joined.size();
      errno = 0;
      ERR_clear_error();
      size_t n = 0;
      int ret = SSL_write_ex(ssl_, data, size, &n);
      return Classify(ret, n);
    }
    iovec iov[kMaxIovecs];
    for (size_t i = 0; i < source.count; ++i) {
      iov[i].iov_base = const_cast<void*>(source.buffers[i].data());
      iov[i].iov_len = source.buffers[i].size();
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = source.count;
    for (;;) {
      ssize_t n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL);
      if (n >= 0) return {Attempt::kDone, {}, static_cast<size_t>(n)};
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {Attempt::kWantWrite, {}, 0};
      return {Attempt::kDone, stream_error_code(errno, boost::system::system_category()), 0};
    }
  }

  // One attempt function retried until it completes: kWantRead/kWantWrite
  // wait for the socket and try again.
  template <class Try>
  class Op {
   public:
    Op(SocketStream& stream, Try attempt) : stream_(stream), try_(std::move(attempt)) {}

    template <class Self>
    void operator()(Self& self, stream_error_code ec = {}) {
      if (posted_) return self.complete(result_, bytes_);
      if (ec) return self.complete(ec, 0);
      if (!stream_.usable_) return Finish(self, stream_net::error::no_memory, 0);
      Attempt attempt = try_(stream_);
      switch (attempt.outcome) {
        case Attempt::kWantRead:
          waited_ = true;
          stream_.socket_.async_wait(stream_net::ip::tcp::socket::wait_read, std::move(self));
          return;
        case Attempt::kWantWrite:
          waited_ = true;
          stream_.socket_.async_wait(stream_net::ip::tcp::socket::wait_write, std::move(self));
          return;
        case Attempt::kDone:
          return Finish(self, attempt.ec, attempt.bytes);
      }
    }

   private:
    // Completes, through a post when nothing was awaited yet: a handler must
    // not run inside the call that started the operation.
    template <class Self>
    void Finish(Self& self, stream_error_code ec, size_t n) {
      if (waited_) return self.complete(ec, n);
      posted_ = true;
      result_ = ec;
      bytes_ = n;
      stream_net::post(stream_.socket_.get_executor(), std::move(self));
    }

    SocketStream& stream_;
    Try try_;
    bool waited_ = false;
    bool posted_ = false;
    stream_error_code result_;
    size_t bytes_ = 0;
  };

  template <class Try, class Token>
  auto Start(Try attempt, Token&& token) {
    return stream_net::async_compose<Token, void(stream_error_code, size_t)>(
        Op<Try>(*this, std::move(attempt)), token, socket_);
  }

  stream_net::ip::tcp::socket socket_;
  SSL* ssl_ = nullptr;
  bool usable_ = false;
};

}  // namespace warden::server::internal
