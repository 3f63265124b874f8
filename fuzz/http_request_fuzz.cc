// Fuzzes what a client's bytes reach in the server: the request parse step
// that connections use (Beast's parser with the server's limits and header
// checks, target decoding), then routing and static-file path resolution of
// each parsed request. Several requests per input, as on a keep-alive
// connection. Any bytes must be parsed or refused without crashing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "server/http_router.h"
#include "server/http_server.h"
#include "server/static_files.h"

namespace {

using namespace warden::server;

class DiscardSink : public HttpResponseSink {
 public:
  bool TryDeliver(HttpResponse) override { return true; }
  warden::Result<std::shared_ptr<HttpStreamChannel>> TryStartStream(HttpResponse) override {
    return warden::Unavailable("no streams here");
  }
  bool IsOpen() const override { return true; }
  void OnClientGone(std::function<void()>) override {}
};

HttpRouter& Router() {
  static HttpRouter* router = [] {
    auto* r = new HttpRouter();
    auto ok = [](HttpRequest&) { return HttpResponse(); };
    (void)r->Add("GET", "/api/v1/hosts", ok);
    (void)r->Add("GET", "/api/v1/hosts/{id}", ok);
    (void)r->Add("GET", "/api/v1/hosts/{id}/problems/{problem}", ok);
    (void)r->Add("POST", "/api/v1/agents/{node}/batch", ok);
    static StaticFiles files =
        StaticFiles::FromMap({{"index.html", "<html></html>"}, {"assets/app-3f2a9c1b.js", "x"}});
    r->SetFallback([](HttpRequest& request) { return files.Serve(request); });
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 8 && !bytes.empty(); ++i) {
    size_t consumed = 0;
    warden::Result<HttpRequest> request = ParseHttpRequest(bytes, 8192, 64 * 1024, &consumed);
    if (!request.ok() || consumed == 0) break;
    RequestPlan plan = Router().Plan(*request);
    if (plan.run) plan.run(*request, HttpResponder(std::make_shared<DiscardSink>()));
    bytes.remove_prefix(consumed);
  }
  return 0;
}
