// Clients for the server's tests: libcurl for ordinary HTTP and HTTPS
// (keep-alive, CA pinning, hostname checks), raw sockets for what a
// well-behaved client never does (slow, malformed, pipelined, never reading),
// a latch and a memory helper (waiting is testing::WaitFor). Header-only,
// test code only: it is not part of warden_server.
#pragma once

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/http_message.h"

namespace warden::testing {

using server::HttpHeaders;

struct ClientResponse {
  CURLcode code = CURLE_OK;
  std::string error;
  long status = 0;
  HttpHeaders headers;
  std::string body;
  long new_connections = 0;  // connections curl opened for this request
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::string ca_file;               // empty: the system's CA bundle
  bool path_as_is = false;           // send "/../x" unchanged
  std::vector<std::string> resolve;  // "host:port:address", CURLOPT_RESOLVE
  long timeout_ms = 20000;
  // Called with each body piece; return false to stop reading (the transfer
  // fails with CURLE_WRITE_ERROR). When set, the body is not kept.
  std::function<bool(std::string_view)> on_body;
};

// One curl easy handle: reused between calls, so HTTP keep-alive applies.
class CurlClient {
 public:
  CurlClient() : curl_(curl_easy_init()) {}
  ~CurlClient() { curl_easy_cleanup(curl_); }
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  ClientResponse Send(const ClientRequest& request) {
    ClientResponse response;
    Context context{&request, &response};
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, request.timeout_ms);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_PROXY, "");
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &CurlClient::OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &context);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &CurlClient::OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &context);
    if (!request.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, request.ca_file.c_str());
    if (request.path_as_is) curl_easy_setopt(curl_, CURLOPT_PATH_AS_IS, 1L);
    if (request.method == "HEAD") {
      curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET") {
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    curl_slist* resolve = nullptr;
    for (const std::string& r : request.resolve) resolve = curl_slist_append(resolve, r.c_str());
    if (resolve != nullptr) curl_easy_setopt(curl_, CURLOPT_RESOLVE, resolve);
    curl_slist* headers = nullptr;
    for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
    if (headers != nullptr) curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    response.code = curl_easy_perform(curl_);
    response.error = error;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &response.new_connections);
    curl_slist_free_all(headers);
    curl_slist_free_all(resolve);
    return response;
  }

  ClientResponse Get(const std::string& url, const std::string& ca_file = "") {
    ClientRequest request;
    request.url = url;
    request.ca_file = ca_file;
    return Send(request);
  }

 private:
  struct Context {
    const ClientRequest* request;
    ClientResponse* response;
  };
  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto* context = static_cast<Context*>(user);
    std::string_view piece(data, size * count);
    if (context->request->on_body) return context->request->on_body(piece) ? piece.size() : 0;
    context->response->body.append(piece);
    return piece.size();
  }
  static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto* context = static_cast<Context*>(user);
    std::string_view line(data, size * count);
    if (line.substr(0, 5) == "HTTP/") context->response->headers = HttpHeaders();  // 100 Continue
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
        value.remove_suffix(1);
      }
      context->response->headers.Add(line.substr(0, colon), value);
    }
    return line.size();
  }
  CURL* curl_;
};

// A plain TCP connection to 127.0.0.1:port; -1 on failure.
inline int ConnectTcp(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until the peer closes (or `timeout` passes; then `timed_out`).
inline std::string ReadUntilClose(int fd, std::chrono::milliseconds timeout,
                                  bool* timed_out = nullptr) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (timed_out) *timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      if (timed_out) *timed_out = true;
      return out;
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[16384];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// Reads one response with a Content-Length body (or none); the bytes after
// it stay in `pending` for the next call.
inline std::string ReadOneResponse(int fd, std::string* pending, bool head_request = false,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto fill = [&]() {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[16384];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    pending->append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = pending->find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return "";
  }
  size_t length = 0;
  std::string head = pending->substr(0, end);
  std::string lower = head;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t cl = lower.find("\r\ncontent-length:");
  if (cl != std::string::npos && !head_request) {
    length = std::stoul(head.substr(cl + 17));
  }
  while (pending->size() < end + 4 + length) {
    if (!fill()) return "";
  }
  std::string response = pending->substr(0, end + 4 + length);
  pending->erase(0, end + 4 + length);
  return response;
}

// A one-shot latch for handing a signal between threads. Open() notifies
// while it holds the mutex: a waiter may return, and destroy the latch, as
// soon as it sees open_, so Open() must be done with the condition variable
// by the time the waiter can take the mutex.
class Latch {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return open_; });
  }
  bool IsOpen() {
    std::lock_guard<std::mutex> lock(mu_);
    return open_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// A line of /proc/self/status in bytes ("VmRSS", "VmHWM").
inline long ProcStatusBytes(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size() + 1, key + ":") == 0) {
      return std::stol(line.substr(key.size() + 1)) * 1024;
    }
  }
  return -1;
}

}  // namespace warden::testing
