// The `server` sink sends records to Warden's control-plane server over its
// agent channel: one POST /api/v1/agent/records per batch of the sink's
// durable queue, as an AgentRecordBatch ({batch_id, records: [{id, kind,
// time_ms, body}]}, api/openapi.yaml), with `Authorization: Bearer <node
// key>` and TLS verified against the pinned CA file (or the system's CAs when
// none is set). The agent adds this sink itself when its config has a
// `server:` section; it may also be written as a `sinks:` entry.
// How the server's answers are taken:
//   200              - every record is stored (new or a duplicate): acknowledged.
//   422 /records/N.. - record N is refused for good: it is set aside (logged,
//                      appended to rejected_file) and the rest is sent again.
//   503, 429         - overloaded: the batch stays queued; no request is made
//                      before Retry-After has passed.
//   401              - the node key is revoked (E_NODE_REVOKED) or unknown:
//                      nothing more is sent until the node key file changes
//                      (`warden agent enroll` again); the agent says why.
//   anything else    - the batch stays queued and is retried with backoff.
// Records keep their ids, so a batch resent after a lost answer is stored
// once (the server de-duplicates by host and record id).
// The helpers below (node key, error envelope) are shared with the agent's
// enrolment and command channel. Not here: enrolment, commands, config pulls.
#pragma once

#include <string>

#include "delivery/http_poster.h"
#include "delivery/sink_registry.h"

namespace warden {

// Where the server is and how to talk to it.
struct ServerEndpoint {
  std::string url;            // "https://warden.example.com:8443", no trailing '/'
  std::string ca_file;        // PEM; "" = the system's CAs
  std::string node_key_file;  // the node key, one line, mode 0600
  int64_t timeout_ms = 30000;
};

struct ServerSinkSettings : SinkSettings {
  ServerEndpoint endpoint;
  std::string rejected_file;  // records the server refused for good (JSON lines); "" = log only
};

const SinkType& ServerSinkType();

// The record as an AgentRecord of the contract: {"id","kind","time_ms","body"}.
// Kinds map one to one (results, problems, status, events, inventory); test
// records and findings go as `events`.
Json AgentRecordJson(const Record& record);
// The contract's record kind for a record.
std::string_view AgentRecordKind(RecordKind kind);

// The node key from its file (trimmed); an error naming the file when it is
// missing, empty or not a wdn_node_ key.
Result<std::string> ReadNodeKey(const std::string& path);

// The server's error envelope {"error":{"code","message","field"}}, when the
// body has one.
struct ServerError {
  long status = 0;
  std::string code;  // "E_NODE_REVOKED"; "" when the body had none
  std::string message;
  std::string field;  // "/records/3/kind"
};
ServerError ParseServerError(const HttpResponse& response);
// "HTTP 401 E_NODE_REVOKED: this host was revoked" (what failed, for people).
std::string DescribeServerError(const ServerError& error);

// "/records/3/body/kind" -> 3; -1 when the pointer names no record.
int RecordIndexOfPointer(const std::string& pointer);

// A request to the server: URL from the endpoint and `path`, TLS settings,
// the bearer token when `node_key` is not empty.
HttpRequest ServerRequest(const ServerEndpoint& endpoint, const std::string& method,
                          const std::string& path, const std::string& node_key);

// Whether `url` is a server URL the agent accepts: https://, or http:// to a
// loopback address (127.0.0.1, ::1, localhost) only; no query or fragment.
// The reason when not.
Status CheckServerUrl(const std::string& url);

}  // namespace warden
