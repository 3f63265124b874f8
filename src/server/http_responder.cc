#include "server/http_responder.h"

#include <utility>

#include "server/http_json.h"

namespace warden::server {

// Shared by every copy of one responder; its destruction is how a handler
// that forgot to answer is detected.
struct HttpResponder::State {
  explicit State(std::shared_ptr<HttpResponseSink> s) : sink(std::move(s)) {}
  ~State() { sink->TryDeliver(ErrorResponse(api::kErrorNoResponse, "the handler did not answer")); }
  std::shared_ptr<HttpResponseSink> sink;
};

HttpResponder::HttpResponder(std::shared_ptr<HttpResponseSink> sink)
    : state_(std::make_shared<State>(std::move(sink))) {}

bool HttpResponder::Send(HttpResponse response) const {
  return state_->sink->TryDeliver(std::move(response));
}

Result<HttpStreamWriter> HttpResponder::StartStream(HttpResponse head) const {
  ASSIGN_OR_RETURN(std::shared_ptr<HttpStreamChannel> channel,
                   state_->sink->TryStartStream(std::move(head)));
  return HttpStreamWriter(std::move(channel));
}

bool HttpResponder::IsOpen() const { return state_->sink->IsOpen(); }

void HttpResponder::OnClientGone(std::function<void()> callback) const {
  state_->sink->OnClientGone(std::move(callback));
}

HttpStreamWriter::HttpStreamWriter(std::shared_ptr<HttpStreamChannel> channel)
    : channel_(std::move(channel)) {}

HttpStreamWriter& HttpStreamWriter::operator=(HttpStreamWriter&& other) noexcept {
  if (this != &other) {
    if (channel_) channel_->Abort();
    channel_ = std::move(other.channel_);
  }
  return *this;
}

HttpStreamWriter::~HttpStreamWriter() {
  if (channel_) channel_->Abort();
}

Status HttpStreamWriter::Write(std::string_view chunk) {
  if (!channel_) return Unavailable("the response body was already finished");
  if (chunk.empty()) return Status::Ok();
  return channel_->Write(chunk);
}

Status HttpStreamWriter::Finish() {
  if (!channel_) return Unavailable("the response body was already finished");
  Status status = channel_->Finish();
  channel_.reset();
  return status;
}

}  // namespace warden::server
