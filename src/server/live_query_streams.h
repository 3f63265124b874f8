// LiveQueryStreams serves streamLiveQuery: it follows one live query per
// stream, on a thread of its own (a stream lasts minutes; the worker pool's
// threads must not be held that long), and writes Server-Sent Events as the
// store changes:
//
//   event: host      data: LiveQueryHost      every host first, then each change
//   event: rows      data: {"host_id", "rows": [{column: value}, ...]}
//   event: truncated data: {"truncated_at": N} once, when the bound cut the rows
//   event: progress  data: LiveQuery          about once a second
//   event: end       data: LiveQuery          every host ended (or cancelled)
//
// Each rows event has `id: <last row id>`, so a client reconnecting with
// Last-Event-ID resumes after it. It reads the store (rows after the last
// sent, targets changed after the last seen change count) every poll
// interval; nothing is pushed to it, so a stream works the same whoever
// stored the rows and survives nothing but itself. Memory per stream is one
// batch of rows. At most `max_streams` at once (503 beyond). Stop() ends
// every stream (its client sees the body cut) and joins the threads.
//
// Not here: authentication (the dispatcher), what the rows are.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "server/http_responder.h"
#include "store/store.h"

namespace warden::server {

struct LiveQueryStreamOptions {
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds keepalive{15'000};
  std::chrono::milliseconds progress_interval{1'000};
  size_t max_streams = 64;
  int64_t rows_per_read = 500;
};

class LiveQueryStreams {
 public:
  explicit LiveQueryStreams(store::Store& store, LiveQueryStreamOptions options = {});
  ~LiveQueryStreams();
  LiveQueryStreams(const LiveQueryStreams&) = delete;
  LiveQueryStreams& operator=(const LiveQueryStreams&) = delete;

  // Answers `responder` with 200 text/event-stream and follows live query
  // `query_id` (which exists) from the row after `after_row` until it ends
  // or `timeout` passes; 503 when too many streams are open or stopping.
  void Follow(int64_t query_id, int64_t after_row, std::chrono::milliseconds timeout,
              HttpResponder responder);
  void Stop();
  size_t active() const;

 private:
  struct Stream {
    std::thread thread;
    bool finished = false;
  };
  void Run(int64_t query_id, int64_t after_row, std::chrono::milliseconds timeout,
           const HttpResponder& responder);
  // Waits one poll interval; false when stopping.
  bool Sleep();
  void Reap();  // joins finished threads; with mu_ held

  store::Store& store_;
  LiveQueryStreamOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::list<std::shared_ptr<Stream>> streams_;
};

}  // namespace warden::server
