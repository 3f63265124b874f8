#include "delivery/http_poster.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <thread>

#include "core/strings.h"

namespace warden {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct BodySink {
  std::string* body;
  size_t max;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  size_t n = size * count;
  if (sink->body->size() < sink->max)
    sink->body->append(data, std::min(n, sink->max - sink->body->size()));
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
    std::string name;
    for (char c : line.substr(0, colon))
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (response->headers.size() < 100)
      response->headers[name] = std::string(TrimWhitespace(line.substr(colon + 1)));
  }
  constexpr std::string_view kRetryAfter = "retry-after:";
  if (line.size() > kRetryAfter.size()) {
    std::string lower;
    for (char c : line.substr(0, kRetryAfter.size()))
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    int64_t seconds = 0;
    if (lower == kRetryAfter &&
        ParseInt64(TrimWhitespace(line.substr(kRetryAfter.size())), &seconds) && seconds >= 0)
      response->retry_after_seconds = static_cast<int>(std::min<int64_t>(seconds, 3600));
  }
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel != nullptr && cancel->load() ? 1 : 0;
}

class CurlHttpPoster : public HttpPoster {
 public:
  CurlHttpPoster() {
    GlobalInit();
    curl_ = curl_easy_init();
  }
  ~CurlHttpPoster() override {
    if (curl_) curl_easy_cleanup(curl_);
  }
  CurlHttpPoster(const CurlHttpPoster&) = delete;
  CurlHttpPoster& operator=(const CurlHttpPoster&) = delete;

  Result<HttpResponse> Post(const HttpRequest& request) override {
    if (curl_ == nullptr) return Internal("cannot initialise libcurl");
    if (!StartsWith(request.url, "http://") && !StartsWith(request.url, "https://"))
      return InvalidArgument("webhook URL must start with http:// or https://");
    curl_easy_reset(curl_);
    HttpResponse response;
    struct curl_slist* headers = nullptr;
    for (const auto& [k, v] : request.headers)
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    if (request.method == "GET") {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    } else {
      curl_slist_free_all(headers);
      return InvalidArgument("HTTP method " + request.method + " is not supported");
    }
    if (!request.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, request.ca_file.c_str());
    if (request.skip_tls_verification) {
      curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (request.cancel) {
      curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, OnProgress);
      curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, request.cancel);
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<int64_t>(request.timeout.count(), 5000)));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, OnBody);
    BodySink body_sink{&response.body, request.max_response_bytes};
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_sink);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "warden");
    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      std::string detail = error[0] ? error : curl_easy_strerror(rc);
      if (rc == CURLE_ABORTED_BY_CALLBACK) return Unavailable(UrlHost(request.url) + ": cancelled");
      StatusCode code =
          rc == CURLE_OPERATION_TIMEDOUT ? StatusCode::kTimeout : StatusCode::kUnavailable;
      // The server's certificate is not trusted (PermissionDenied, so callers
      // can say which CA to pin).
      if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
        code = StatusCode::kPermissionDenied;
      return Status(code, UrlHost(request.url) + ": " + detail);
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

 private:
  CURL* curl_ = nullptr;
};

bool Retryable(long status) { return status == 408 || status == 429 || status >= 500; }

}  // namespace

std::unique_ptr<HttpPoster> MakeCurlHttpPoster() { return std::make_unique<CurlHttpPoster>(); }

void SleepFor(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

std::string UrlHost(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = host.rfind('@'); at != std::string::npos)
    host = host.substr(at + 1);  // no credentials
  return host;
}

Result<HttpResponse> PostWithRetry(HttpPoster& poster, const HttpRequest& request,
                                   const RetryPolicy& policy, const Sleeper& sleep,
                                   int* attempts_made) {
  std::chrono::milliseconds backoff = policy.initial_backoff;
  Status last;
  int attempts = std::max(1, policy.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempts_made) *attempts_made = attempt;
    auto response = poster.Post(request);
    std::chrono::milliseconds wait = backoff;
    if (response.ok()) {
      if (response->status >= 200 && response->status < 300) return response;
      std::string snippet = response->body.substr(0, 200);
      last =
          Unavailable(UrlHost(request.url) + " answered HTTP " + std::to_string(response->status) +
                      (snippet.empty() ? "" : ": " + snippet));
      if (!Retryable(response->status)) return last;
      if (response->retry_after_seconds)
        wait = std::max(wait, std::chrono::milliseconds(*response->retry_after_seconds * 1000LL));
    } else {
      if (response.status().code() == StatusCode::kInvalidArgument) return response.status();
      last = response.status();
    }
    if (attempt == attempts) break;
    sleep(std::min(wait, policy.max_backoff));
    backoff = std::min(
        policy.max_backoff,
        std::chrono::milliseconds(static_cast<int64_t>(backoff.count() * policy.multiplier)));
  }
  return last.WithContext("gave up after " + std::to_string(attempts) + " attempts");
}

Status CheckHttpResponse(const std::string& what, const Result<HttpResponse>& r) {
  if (!r.ok()) return r.status().WithContext(what);
  if (r->status < 200 || r->status > 299) {
    std::string snippet = r->body.substr(0, 200);
    for (char& c : snippet)
      if (c == '\n' || c == '\r') c = ' ';
    return Unavailable(what + ": HTTP " + std::to_string(r->status) +
                       (snippet.empty() ? "" : ": " + snippet));
  }
  return Status::Ok();
}

Result<HttpResponse> PostOnceOrWithRetry(HttpPoster& poster, const HttpRequest& request,
                                         const std::string& what, const RetryPolicy* retry,
                                         const Sleeper& sleep) {
  if (retry) {
    auto response = PostWithRetry(poster, request, *retry, sleep);
    if (!response.ok()) return response.status().WithContext(what);
    return response;
  }
  auto response = poster.Post(request);
  RETURN_IF_ERROR(CheckHttpResponse(what, response));
  return response;
}

}  // namespace warden
