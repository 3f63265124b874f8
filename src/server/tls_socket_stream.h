// TlsSocketStream: TLS over a TCP socket for Beast, with OpenSSL reading and
// writing the socket directly (non-blocking) and Asio used only to wait for
// readiness. Internal to http_server.cc; never include it elsewhere (it pulls
// in Asio).
//
// Why not boost::asio::ssl::stream: it keeps four 17 KB buffers per
// connection for as long as the connection lives (two in its engine, two in
// its BIO pair), about 52 KB measured, even when idle. Here OpenSSL is given
// the socket through a small BIO, and with SSL_MODE_RELEASE_BUFFERS an idle
// connection keeps only OpenSSL's session state (a few KB).
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

#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace warden::server::internal {

namespace tls_net = boost::asio;

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

class TlsSocketStream {
 public:
  using executor_type = tls_net::ip::tcp::socket::executor_type;

  // Takes the SSL object (server side, from the server's SSL_CTX); nullptr
  // ssl() afterwards means it could not be set up (out of memory).
  TlsSocketStream(tls_net::ip::tcp::socket socket, SSL* ssl)
      : socket_(std::move(socket)), ssl_(ssl) {
    if (ssl_ == nullptr) return;
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    BIO* bio = BIO_new(SocketBioMethod());
    if (ec || bio == nullptr) {
      BIO_free(bio);
      SSL_free(ssl_);
      ssl_ = nullptr;
      return;
    }
    auto* state = new SocketBioState;
    state->fd = socket_.native_handle();
    BIO_set_data(bio, state);
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl_, bio, bio);
    SSL_set_accept_state(ssl_);
  }
  ~TlsSocketStream() {
    if (ssl_ == nullptr) return;
    // Without this, OpenSSL drops the session from the server's cache on an
    // abrupt close (a client that goes away, an idle timeout), and the
    // client's next connection cannot resume by session id. Sessions of
    // connections that failed are invalidated by OpenSSL itself.
    SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl_);
  }
  TlsSocketStream(const TlsSocketStream&) = delete;
  TlsSocketStream& operator=(const TlsSocketStream&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  tls_net::ip::tcp::socket& socket() { return socket_; }
  SSL* ssl() const { return ssl_; }
  // Decrypted or undecrypted bytes already read from the socket.
  bool HasBufferedInput() const { return SSL_has_pending(ssl_) == 1; }

  template <class Token>
  auto async_handshake(Token&& token) {
    return Start(
        [](SSL* ssl, size_t* n) {
          *n = 0;
          return SSL_do_handshake(ssl);
        },
        std::forward<Token>(token));
  }

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    tls_net::mutable_buffer buffer;
    for (auto it = tls_net::buffer_sequence_begin(buffers);
         it != tls_net::buffer_sequence_end(buffers); ++it) {
      if (it->size() > 0) {
        buffer = *it;
        break;
      }
    }
    return Start(
        [buffer](SSL* ssl, size_t* n) {
          *n = 0;
          if (buffer.size() == 0) return 1;
          return SSL_read_ex(ssl, buffer.data(), buffer.size(), n);
        },
        std::forward<Token>(token));
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    // Small buffers (a response header, a chunk header) are joined into one
    // TLS record; a large first buffer goes out as it is.
    WriteSource source;
    for (auto it = tls_net::buffer_sequence_begin(buffers);
         it != tls_net::buffer_sequence_end(buffers); ++it) {
      tls_net::const_buffer b = *it;
      if (b.size() == 0) continue;
      if (source.direct.size() == 0 && source.joined.empty() && b.size() >= kJoinLimit) {
        source.direct = b;
        break;
      }
      size_t take = std::min(b.size(), kJoinLimit - source.joined.size());
      source.joined.append(static_cast<const char*>(b.data()), take);
      if (source.joined.size() >= kJoinLimit) break;
    }
    return Start(
        [source = std::move(source)](SSL* ssl, size_t* n) {
          *n = 0;
          const void* data = source.joined.empty() ? source.direct.data() : source.joined.data();
          size_t size = source.joined.empty() ? source.direct.size() : source.joined.size();
          if (size == 0) return 1;
          return SSL_write_ex(ssl, data, size, n);
        },
        std::forward<Token>(token));
  }

  // Sends close_notify if the socket takes it at once; never waits.
  void ShutdownQuietly() {
    if (ssl_ == nullptr) return;
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
  }

 private:
  static constexpr size_t kJoinLimit = 16 * 1024;

  struct WriteSource {
    tls_net::const_buffer direct;
    std::string joined;
  };

  // One SSL call retried until it completes: `attempt(ssl, &n)` returns the
  // OpenSSL result; WANT_READ/WANT_WRITE wait for the socket and retry.
  template <class Attempt>
  class Op {
   public:
    Op(TlsSocketStream& stream, Attempt attempt) : stream_(stream), attempt_(std::move(attempt)) {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}) {
      if (posted_) return self.complete(result_, bytes_);
      if (ec) return self.complete(ec, 0);
      if (stream_.ssl_ == nullptr) return Finish(self, tls_net::error::no_memory, 0);
      ERR_clear_error();
      size_t n = 0;
      errno = 0;
      int ret = attempt_(stream_.ssl_, &n);
      int saved_errno = errno;
      if (ret == 1) return Finish(self, {}, n);
      int err = SSL_get_error(stream_.ssl_, ret);
      switch (err) {
        case SSL_ERROR_WANT_READ:
          waited_ = true;
          stream_.socket_.async_wait(tls_net::ip::tcp::socket::wait_read, std::move(self));
          return;
        case SSL_ERROR_WANT_WRITE:
          waited_ = true;
          stream_.socket_.async_wait(tls_net::ip::tcp::socket::wait_write, std::move(self));
          return;
        case SSL_ERROR_ZERO_RETURN:
          return Finish(self, tls_net::error::eof, 0);
        case SSL_ERROR_SYSCALL:
          ERR_clear_error();
          if (saved_errno == 0) return Finish(self, tls_net::error::eof, 0);
          return Finish(
              self, boost::system::error_code(saved_errno, boost::system::system_category()), 0);
        default: {
          unsigned long code = ERR_get_error();
          ERR_clear_error();
          return Finish(self,
                        boost::system::error_code(static_cast<int>(code & 0x7fffffff),
                                                  tls_net::error::get_ssl_category()),
                        0);
        }
      }
    }

   private:
    // Completes, through a post when nothing was awaited yet: a handler must
    // not run inside the call that started the operation.
    template <class Self>
    void Finish(Self& self, boost::system::error_code ec, size_t n) {
      if (waited_) return self.complete(ec, n);
      posted_ = true;
      result_ = ec;
      bytes_ = n;
      tls_net::post(stream_.socket_.get_executor(), std::move(self));
    }

    TlsSocketStream& stream_;
    Attempt attempt_;
    bool waited_ = false;
    bool posted_ = false;
    boost::system::error_code result_;
    size_t bytes_ = 0;
  };

  template <class Attempt, class Token>
  auto Start(Attempt attempt, Token&& token) {
    return tls_net::async_compose<Token, void(boost::system::error_code, size_t)>(
        Op<Attempt>(*this, std::move(attempt)), token, socket_);
  }

  tls_net::ip::tcp::socket socket_;
  SSL* ssl_;
};

}  // namespace warden::server::internal
