// TestHttpReceiver is a small HTTP/1.1 server for the agent's tests (unit
// tests of the HTTP sinks, end-to-end outage and crash tests): it listens on
// 127.0.0.1, records every request, and answers with a status the test sets
// (e.g. 503 during a simulated outage); Stop() closes the port so clients get
// "connection refused", Start() listens again on the same port. Header-only,
// test code only: it is not part of warden_agent.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace warden::testing {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class TestHttpReceiver {
 public:
  TestHttpReceiver() { Start(0); }
  ~TestHttpReceiver() { Stop(); }

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void SetStatus(int status, std::string body = "{}") {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    response_body_ = std::move(body);
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // Requests answered with 2xx only.
  std::vector<ReceivedRequest> accepted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_;
  }

  // Listens (again) on `port` (0 = any free port).
  bool Start(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0) {
      close(fd);
      return false;
    }
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen_fd_ = fd;
    running_ = true;
    thread_ = std::thread([this] { Loop(); });
    return true;
  }

  void Stop() {
    if (!running_) return;
    running_ = false;
    thread_.join();
    close(listen_fd_);
    listen_fd_ = -1;
  }

 private:
  void Loop() {
    while (running_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      Serve(c);
      close(c);
    }
  }

  static bool ReadMore(int c, std::string* buf) {
    pollfd p{c, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) return false;
    char tmp[65536];
    ssize_t n = read(c, tmp, sizeof tmp);
    if (n <= 0) return false;
    buf->append(tmp, static_cast<size_t>(n));
    return true;
  }

  // One request per connection (the agent's poster does not need keep-alive
  // to work; answering "Connection: close" keeps this simple).
  void Serve(int c) {
    std::string buf;
    size_t header_end;
    while ((header_end = buf.find("\r\n\r\n")) == std::string::npos)
      if (!ReadMore(c, &buf)) return;
    ReceivedRequest req;
    std::string head = buf.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
    req.method = first.substr(0, sp1);
    req.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char ch) { return std::tolower(ch); });
        size_t v = line.find_first_not_of(' ', colon + 1);
        req.headers[name] = v == std::string::npos ? "" : line.substr(v);
      }
      pos = e + 2;
    }
    size_t length =
        req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
    std::string body = buf.substr(header_end + 4);
    if (req.headers.count("expect")) {
      const char* cont = "HTTP/1.1 100 Continue\r\n\r\n";
      (void)!write(c, cont, strlen(cont));
    }
    while (body.size() < length)
      if (!ReadMore(c, &body)) return;
    req.body = body.substr(0, length);
    int status;
    std::string response_body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      status = status_;
      response_body = response_body_;
      requests_.push_back(req);
      if (status >= 200 && status < 300) accepted_.push_back(req);
    }
    std::string resp = "HTTP/1.1 " + std::to_string(status) +
                       " X\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(response_body.size()) + "\r\nConnection: close\r\n\r\n" +
                       response_body;
    (void)!write(c, resp.data(), resp.size());
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> running_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  int status_ = 200;
  std::string response_body_ = "{}";
  std::vector<ReceivedRequest> requests_;
  std::vector<ReceivedRequest> accepted_;
};

}  // namespace warden::testing
