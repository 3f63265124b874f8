// HTTP POST for the HTTP sinks (Splunk HEC, webhook, Slack): a small interface (HttpPoster) so
// sinks can be tested with a fake, one implementation on libcurl, and the retry policy every sink
// shares (exponential backoff on network errors, HTTP 429 and 5xx; Retry-After honoured up to the
// backoff cap; other 4xx are final). Only http and https URLs are accepted; redirects are not
// followed (a webhook that moves must be reconfigured, not silently chased). Not for downloads or
// feeds. A poster is used by one thread at a time.
// The agent's server channel uses the same poster for its GETs (method), its
// pinned CA (ca_file), the one unverified fetch of the server's CA at
// enrolment (skip_tls_verification), long-polls that must end at shutdown
// (cancel) and ETags (response headers).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace warden {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  std::string method = "POST";  // POST or GET (a GET sends no body)
  // https: trust only the CA certificate(s) in this PEM file; "" = the
  // system's CAs.
  std::string ca_file;
  // https: accept any certificate. Only for fetching a CA that the caller
  // then checks against a pinned fingerprint, and for a Splunk HEC channel
  // whose owner turned verification off explicitly (verify_tls: false).
  bool skip_tls_verification = false;
  // When set and true, the transfer is aborted (an Unavailable error).
  const std::atomic<bool>* cancel = nullptr;
  // The response body is kept up to this many bytes (the rest is dropped).
  size_t max_response_bytes = 64 * 1024;
};

struct HttpResponse {
  long status = 0;
  std::string body;  // the first HttpRequest::max_response_bytes
  std::optional<int> retry_after_seconds;
  std::map<std::string, std::string> headers;  // lower-case names; the last value of each
};

class HttpPoster {
 public:
  virtual ~HttpPoster() = default;
  // One attempt. A transport failure (DNS, connect, TLS, timeout) is an
  // error Status (PermissionDenied when the server's certificate is not
  // trusted); any HTTP response, even 500, is a response.
  virtual Result<HttpResponse> Post(const HttpRequest& request) = 0;
};

std::unique_ptr<HttpPoster> MakeCurlHttpPoster();

struct RetryPolicy {
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{500};
  double multiplier = 2.0;
  std::chrono::milliseconds max_backoff{10000};
};

using Sleeper = std::function<void(std::chrono::milliseconds)>;
void SleepFor(std::chrono::milliseconds duration);

// Posts until a 2xx response, a final error (4xx other than 408/429), or the
// attempts run out. The error names the URL's host, the last status or
// transport error, and the number of attempts.
Result<HttpResponse> PostWithRetry(HttpPoster& poster, const HttpRequest& request,
                                   const RetryPolicy& policy, const Sleeper& sleep = SleepFor,
                                   int* attempts_made = nullptr);

// "https://hooks.slack.com/services/..." -> "hooks.slack.com" (for messages
// that must not print secrets embedded in webhook paths).
std::string UrlHost(const std::string& url);

// OK for a 2xx answer; else Unavailable("<what>: HTTP <status>: <start of
// the body>"), or the transport error with `what` as context.
Status CheckHttpResponse(const std::string& what, const Result<HttpResponse>& response);

// One attempt (`retry` null: the caller's queue retries later) or
// PostWithRetry; either way a non-2xx answer is an error naming `what`.
Result<HttpResponse> PostOnceOrWithRetry(HttpPoster& poster, const HttpRequest& request,
                                         const std::string& what, const RetryPolicy* retry,
                                         const Sleeper& sleep);

}  // namespace warden
