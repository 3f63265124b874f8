#include "server/live_query_streams.h"

#include <string>
#include <utility>
#include <vector>

#include "server/http_json.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One Server-Sent Event; `data` is one line of JSON (Dump never writes a
// newline), so it needs no splitting.
std::string Event(std::string_view name, const Json& data, std::optional<int64_t> id = {}) {
  std::string out;
  if (id) out += "id: " + std::to_string(*id) + "\n";
  out += "event: ";
  out += name;
  out += "\ndata: ";
  out += Dump(data);
  out += "\n\n";
  return out;
}

}  // namespace

LiveQueryStreams::LiveQueryStreams(store::Store& store, LiveQueryStreamOptions options)
    : store_(store), options_(options) {}

LiveQueryStreams::~LiveQueryStreams() { Stop(); }

void LiveQueryStreams::Stop() {
  std::list<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    streams.swap(streams_);
  }
  cv_.notify_all();
  for (auto& s : streams)
    if (s->thread.joinable()) s->thread.join();
}

size_t LiveQueryStreams::active() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& s : streams_) n += s->finished ? 0 : 1;
  return n;
}

void LiveQueryStreams::Reap() {
  for (auto it = streams_.begin(); it != streams_.end();) {
    if ((*it)->finished) {
      if ((*it)->thread.joinable()) (*it)->thread.join();
      it = streams_.erase(it);
    } else {
      ++it;
    }
  }
}

void LiveQueryStreams::Follow(int64_t query_id, int64_t after_row,
                              std::chrono::milliseconds timeout, HttpResponder responder) {
  std::lock_guard lock(mu_);
  Reap();
  if (stopping_ || streams_.size() >= options_.max_streams) {
    responder.Send(ErrorResponse(api::kErrorOverloaded,
                                 "too many live query streams are open; poll getLiveQuery instead "
                                 "or try again later"));
    return;
  }
  auto stream = std::make_shared<Stream>();
  streams_.push_back(stream);
  stream->thread = std::thread(
      [this, stream, query_id, after_row, timeout, responder = std::move(responder)]() mutable {
        Run(query_id, after_row, timeout, responder);
        std::lock_guard done(mu_);
        stream->finished = true;
      });
}

bool LiveQueryStreams::Sleep() {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_; });
  return !stopping_;
}

void LiveQueryStreams::Run(int64_t query_id, int64_t after_row, std::chrono::milliseconds timeout,
                           const HttpResponder& responder) {
  using SteadyClock = std::chrono::steady_clock;
  HttpResponse head;
  head.status = 200;
  head.headers.Set("Content-Type", "text/event-stream; charset=utf-8");
  head.headers.Set("Cache-Control", "no-store");
  head.headers.Set("X-Accel-Buffering", "no");
  auto query = store_.live_queries().Get(query_id);
  if (!query.ok() || !query->has_value()) {
    responder.Send(ErrorResponse(query.ok() ? "E_QUERY_NOT_FOUND" : api::kErrorUnavailable,
                                 query.ok() ? "no such live query" : query.status().message()));
    return;
  }
  auto started = responder.StartStream(std::move(head));
  if (!started.ok()) return;
  HttpStreamWriter writer = std::move(*started);
  const SteadyClock::time_point end = SteadyClock::now() + timeout;
  SteadyClock::time_point last_write = SteadyClock::now();
  SteadyClock::time_point last_progress = SteadyClock::now();
  auto write = [&](const std::string& text) {
    last_write = SteadyClock::now();
    return writer.Write(text).ok();
  };

  // Every host's state first (from the change count read before them, so a
  // change in between is sent again rather than lost).
  int64_t seen_changes = (*query)->changes;
  bool truncation_sent = false;
  {
    store::ListQuery q;
    q.filters.push_back({"query_id", store::FilterOp::kEq, Value(query_id)});
    std::string batch;
    Status listed = store_.live_queries().ExportTargets(q, [&](const store::LiveQueryTarget& t) {
      batch += Event("host", LiveQueryHostJson(t));
      if (batch.size() < 64 * 1024) return Status::Ok();
      const bool ok = write(batch);
      batch.clear();
      return ok ? Status::Ok() : Unavailable("client gone");
    });
    if (!listed.ok() || (!batch.empty() && !write(batch))) return;
  }
  int64_t last_row = after_row;
  for (;;) {
    // Rows after the last sent, one event per run of the same host.
    auto rows = store_.live_queries().RowsAfter(query_id, last_row, options_.rows_per_read);
    if (!rows.ok()) return;
    std::string batch;
    for (size_t i = 0; i < rows->size();) {
      const int64_t host = (*rows)[i].host_id;
      Json list = Json::array();
      for (; i < rows->size() && (*rows)[i].host_id == host; ++i) {
        Json row = Json::parse((*rows)[i].row_json, nullptr, false);
        list.push_back(row.is_discarded() ? Json::object() : std::move(row));
        last_row = (*rows)[i].id;
      }
      batch += Event("rows", Json{{"host_id", std::to_string(host)}, {"rows", std::move(list)}},
                     last_row);
    }
    query = store_.live_queries().Get(query_id);
    if (!query.ok() || !query->has_value()) return;
    const store::LiveQuery& now = **query;
    if (now.changes > seen_changes) {
      auto changed = store_.live_queries().TargetsChangedAfter(query_id, seen_changes);
      if (!changed.ok()) return;
      for (const store::LiveQueryTarget& t : *changed) batch += Event("host", LiveQueryHostJson(t));
      seen_changes = now.changes;
    }
    if (now.truncated_at && !truncation_sent) {
      batch += Event("truncated", Json{{"truncated_at", *now.truncated_at}});
      truncation_sent = true;
    }
    const bool drained = static_cast<int64_t>(rows->size()) < options_.rows_per_read;
    const bool ended = now.state != "running" && drained;
    if (ended) {
      batch += Event("end", LiveQueryJson(now));
    } else if (SteadyClock::now() - last_progress >= options_.progress_interval) {
      batch += Event("progress", LiveQueryJson(now));
      last_progress = SteadyClock::now();
    }
    if (!batch.empty() && !write(batch)) return;
    if (ended) break;
    if (SteadyClock::now() >= end) {
      (void)write(": the stream's timeout passed; the live query goes on\n\n");
      break;
    }
    if (SteadyClock::now() - last_write >= options_.keepalive && !write(": keep-alive\n\n")) return;
    if (!drained) continue;  // more rows waiting: no pause
    if (!Sleep()) return;    // the server stops: the body is cut
  }
  (void)writer.Finish();
}

}  // namespace warden::server
