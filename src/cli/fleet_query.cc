#include "cli/fleet_query.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "agent/server_enrolment.h"  // ParseCaCertificate, NormaliseFingerprint
#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "core/output_format.h"
#include "core/time_format.h"
#include "delivery/http_poster.h"
#include "delivery/server_sink.h"  // ParseServerError, CheckServerUrl

namespace warden {
namespace {

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Percent-encodes a query value.
std::string QueryValue(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class ApiClient {
 public:
  ApiClient(std::string url, std::string token, std::string ca_file)
      : url_(std::move(url)),
        token_(std::move(token)),
        ca_file_(std::move(ca_file)),
        poster_(MakeCurlHttpPoster()) {}

  // The JSON answer of `method path`; an error naming the server's error
  // code and message unless the status is `expected`.
  Result<Json> Call(const std::string& method, const std::string& path, int expected,
                    const Json& body = nullptr) {
    HttpRequest req;
    req.method = method;
    req.url = url_ + path;
    req.ca_file = ca_file_;
    req.timeout = std::chrono::seconds(60);
    req.max_response_bytes = size_t{256} << 20;
    req.headers.emplace_back("Authorization", "Bearer " + token_);
    req.headers.emplace_back("Accept", "application/json");
    if (!body.is_null()) {
      req.headers.emplace_back("Content-Type", "application/json");
      req.body = Dump(body);
    }
    ASSIGN_OR_RETURN(HttpResponse r, poster_->Post(req));
    if (r.status != expected) {
      return Status(r.status == 401 || r.status == 403 ? StatusCode::kPermissionDenied
                                                       : StatusCode::kUnavailable,
                    method + " " + path + ": " + DescribeServerError(ParseServerError(r)));
    }
    Json parsed = Json::parse(r.body, nullptr, false);
    if (parsed.is_discarded()) return ParseError(method + " " + path + ": the answer is not JSON");
    return parsed;
  }

 private:
  std::string url_;
  std::string token_;
  std::string ca_file_;
  std::unique_ptr<HttpPoster> poster_;
};

// The request's targets from --hosts values.
Result<Json> TargetsOf(const std::vector<std::string>& hosts, Json* os_ids) {
  Json targets = Json::object();
  for (const std::string& h : hosts) {
    if (h == "all") {
      targets["all"] = true;
    } else if (h.rfind("label:", 0) == 0 && h.size() > 6) {
      targets["labels"].push_back(h.substr(6));
    } else if (h.rfind("host:", 0) == 0 && h.size() > 5) {
      targets["host_ids"].push_back(h.substr(5));
    } else if (h.rfind("os:", 0) == 0 && h.size() > 3) {
      os_ids->push_back(h.substr(3));
    } else {
      return InvalidArgument("--hosts: '" + h +
                             "' is not all, label:NAME, host:ID or os:ID (e.g. label:env=prod)");
    }
  }
  if (targets.empty()) {
    if (os_ids->empty()) return InvalidArgument("--hosts: name the hosts (all, label:, host:)");
    targets["all"] = true;  // os: alone means every host of those OSes
  }
  return targets;
}

// A stored value as the printers take it.
Value ValueOf(const Json& v) {
  if (v.is_null()) return Value{};
  if (v.is_number_integer()) return Value(v.get<int64_t>());
  if (v.is_number_float()) return Value(v.get<double>());
  if (v.is_string()) return Value(v.get<std::string>());
  if (v.is_boolean()) return Value(int64_t{v.get<bool>() ? 1 : 0});
  return Value(Dump(v));
}

// The server's CA fetched and checked against the pinned fingerprint,
// written to a private temporary file (removed by the caller).
Result<std::string> PinnedCaFile(const std::string& server, const std::string& fingerprint) {
  ASSIGN_OR_RETURN(std::string pin, NormaliseFingerprint(fingerprint));
  HttpRequest req;
  req.method = "GET";
  req.url = server + "/api/v1/agent/ca";
  req.skip_tls_verification = true;  // checked against the pin below
  auto poster = MakeCurlHttpPoster();
  ASSIGN_OR_RETURN(HttpResponse r, poster->Post(req));
  if (r.status != 200)
    return Unavailable(server + "/api/v1/agent/ca: " + DescribeServerError(ParseServerError(r)));
  ASSIGN_OR_RETURN(CaCertificate ca, ParseCaCertificate(r.body));
  if (ca.fingerprint != pin)
    return Status(StatusCode::kPermissionDenied, "the server's CA has fingerprint " +
                                                     ca.fingerprint + ", not the pinned " + pin +
                                                     ": refusing to send the token");
  char path[] = "/tmp/warden-ca-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return IoError("cannot create a temporary file for the server's CA");
  const bool written =
      ::write(fd, ca.pem.data(), ca.pem.size()) == static_cast<ssize_t>(ca.pem.size());
  ::close(fd);
  if (!written) {
    ::unlink(path);
    return IoError(std::string("cannot write ") + path);
  }
  return std::string(path);
}

std::string Progress(const Json& q) {
  const Json& c = q["counts"];
  const int64_t ended =
      c.value("done", 0) + c.value("error", 0) + c.value("offline", 0) + c.value("cancelled", 0);
  std::string line = "query " + q.value("id", std::string("?")) + ": " + std::to_string(ended) +
                     "/" + std::to_string(c.value("targeted", 0)) + " hosts answered (" +
                     std::to_string(c.value("done", 0)) + " done, " +
                     std::to_string(c.value("error", 0)) + " error, " +
                     std::to_string(c.value("offline", 0)) + " offline, " +
                     std::to_string(c.value("running", 0)) + " running), " +
                     std::to_string(q.value("stored_rows", 0)) + " rows";
  return line;
}

}  // namespace

int RunFleetQuery(const FleetQueryOptions& o) {
  std::string format_name = o.format.empty() ? DefaultFormat() : o.format;
  auto format = ParseOutputFormat(format_name);
  if (!format)
    return ReportError(InvalidArgument("--format: unknown format '" + format_name +
                                       "' (use table, json, jsonl or csv)"));
  std::string server = o.server;
  while (!server.empty() && server.back() == '/') server.pop_back();
  if (Status url = CheckServerUrl(server); !url.ok()) return ReportError(url);
  std::string token = o.token;
  if (token.empty())
    if (const char* env = std::getenv("WARDEN_TOKEN"); env && *env) token = env;
  if (token.empty())
    return ReportError(InvalidArgument("--token: give an API token (or set $WARDEN_TOKEN)"));
  Json os_ids = Json::array();
  auto targets = TargetsOf(o.hosts, &os_ids);
  if (!targets.ok()) return ReportError(targets.status());

  std::string ca_file = o.ca_file;
  std::string temporary_ca;
  if (ca_file.empty() && !o.ca_fingerprint.empty()) {
    auto pinned = PinnedCaFile(server, o.ca_fingerprint);
    if (!pinned.ok()) return ReportError(pinned.status());
    ca_file = temporary_ca = *pinned;
  }
  struct RemoveOnExit {
    std::string path;
    ~RemoveOnExit() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } remove_ca{temporary_ca};

  ApiClient api(server, token, ca_file);
  Json request = {{"sql", o.sql}, {"targets", *targets}};
  if (!os_ids.empty()) request["os_ids"] = os_ids;
  if (o.offline_wait_seconds > 0)
    request["offline_deadline"] = FormatRfc3339(NowEpochSeconds() + o.offline_wait_seconds);
  auto started = api.Call("POST", "/api/v1/queries", 202, request);
  if (!started.ok()) return ReportError(started.status());
  const std::string id = started->value("id", std::string());
  const std::string base = "/api/v1/queries/" + id;

  // Progress on stderr: one line rewritten in place on a terminal.
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  Json query = *started;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(o.wait_seconds);
  std::string last_line;
  for (;;) {
    const std::string line = Progress(query);
    if (tty && line != last_line) std::cerr << "\r" << line << "\x1b[K" << std::flush;
    last_line = line;
    if (query.value("state", "") != "running") break;
    if (std::chrono::steady_clock::now() >= give_up) {
      std::cerr << (tty ? "\n" : "") << "warden: stopped waiting after " << o.wait_seconds
                << " s; query " << id << " goes on (its rows: GET " << base << "/results)"
                << std::endl;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto now = api.Call("GET", base, 200);
    if (!now.ok()) return ReportError(now.status());
    query = std::move(*now);
  }
  std::cerr << (tty ? "\r" : "") << last_line << (tty ? "\x1b[K\n" : "\n");

  // The rows, page by page, with the host's name first.
  std::vector<std::string> columns = {"host"};
  for (const Json& c : query.value("columns", Json::array()))
    columns.push_back(c.get<std::string>());
  auto printer = MakeRowPrinter(*format, std::cout, StdoutTableFit());
  printer->Begin(columns);
  std::string cursor;
  for (;;) {
    std::string path = base + "/results?limit=1000";
    if (!cursor.empty()) path += "&cursor=" + QueryValue(cursor);
    auto page = api.Call("GET", path, 200);
    if (!page.ok()) {
      printer->Abort();
      return ReportError(page.status());
    }
    for (const Json& item : (*page)["items"]) {
      std::vector<Value> row = {Value(item.value("hostname", std::string()))};
      const Json& values = item["row"];
      for (size_t i = 1; i < columns.size(); ++i) {
        auto it = values.find(columns[i]);
        row.push_back(it == values.end() ? Value{} : ValueOf(*it));
      }
      printer->Row(row);
    }
    const Json& next = (*page)["next_cursor"];
    if (!next.is_string()) break;
    cursor = next.get<std::string>();
  }
  printer->End();
  std::cout.flush();

  if (!query["truncated_at"].is_null()) {
    std::cerr << "warden: the result was truncated at " << query["truncated_at"].dump()
              << " rows (the server's live_queries bound); later rows were not kept" << std::endl;
  }
  // Hosts that did not answer with rows.
  bool all_done = true;
  auto failed = api.Call(
      "GET", base + "/hosts?limit=10000&state=pending,running,error,offline,cancelled", 200);
  if (failed.ok()) {
    for (const Json& h : (*failed)["items"]) {
      all_done = false;
      std::cerr << "warden: host " << h.value("hostname", std::string()) << " ("
                << h.value("host_id", std::string()) << "): " << h.value("state", std::string());
      if (h["error"].is_string()) std::cerr << ": " << h["error"].get<std::string>();
      std::cerr << std::endl;
    }
  }
  return all_done ? 0 : 3;
}

}  // namespace warden
