// Fuzzes what the API contract does with a client's request: the operation
// lookup (method + raw path against every template of the embedded spec),
// then parameter coercion and validation and body parsing and validation
// (ValidateRequest), then the same bytes checked as a response body of the
// operation (ValidateResponse). Input: a request line "METHOD TARGET",
// header lines "Name: value", an empty line, the body; as the server has
// them after HTTP parsing (query decoded, '+' as space).
//
// Checks promises beyond "no crash": every error has a code from the table
// with the table's status and serialises as strict JSON (printable, valid
// UTF-8); an accepted request has only declared parameters and a body that
// serialises again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_error.h"
#include "api/openapi_spec.h"
#include "api/request_validator.h"
#include "api/response_validator.h"

namespace {

using namespace warden::api;
using Pairs = std::vector<std::pair<std::string, std::string>>;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "api_request_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

const OpenApiSpec& Spec() {
  static const OpenApiSpec* spec = [] {
    warden::Result<const OpenApiSpec*> loaded = OpenApiSpec::Embedded();
    if (!loaded.ok()) Fail("embedded spec", loaded.status().message());
    return *loaded;
  }();
  return *spec;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query decoding as the server's ParseRequestTarget does it.
std::optional<std::string> DecodeQuery(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = Hex(text[i + 1]);
      int lo = Hex(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

std::string_view NextLine(std::string_view* rest) {
  size_t eol = rest->find('\n');
  std::string_view line = rest->substr(0, eol);
  rest->remove_prefix(eol == std::string_view::npos ? rest->size() : eol + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

void CheckError(const ApiError& error) {
  const ErrorCodeInfo* info = FindErrorCode(error.code);
  if (info == nullptr) Fail("error code not in the table", error.code);
  if (info->http_status != error.http_status) Fail("status differs from the table", error.code);
  try {
    (void)error.ToJson().dump();  // strict: throws on invalid UTF-8
  } catch (const std::exception& e) {
    Fail("error does not serialise", e.what());
  }
}

}  // namespace

// Loading the spec (parse and compile every schema) takes seconds in this
// unoptimised, instrumented build: done before the first input, so it does
// not count against the per-input timeout.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)Spec();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const OpenApiSpec& spec = Spec();
  std::string_view rest(reinterpret_cast<const char*>(data), size);

  std::string_view request_line = NextLine(&rest);
  size_t space = request_line.find(' ');
  if (space == std::string_view::npos) return 0;
  std::string method(request_line.substr(0, space));
  std::string_view target = request_line.substr(space + 1);
  Pairs headers;
  while (!rest.empty()) {
    std::string_view line = NextLine(&rest);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  std::string body(rest);

  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  Pairs query;
  if (question != std::string_view::npos) {
    std::string_view qs = target.substr(question + 1);
    while (!qs.empty()) {
      size_t amp = qs.find('&');
      std::string_view pair = qs.substr(0, amp);
      qs.remove_prefix(amp == std::string_view::npos ? qs.size() : amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      std::optional<std::string> key = DecodeQuery(pair.substr(0, eq));
      std::optional<std::string> value =
          DecodeQuery(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      if (!key || !value) return 0;  // the server refuses the target with 400
      query.emplace_back(std::move(*key), std::move(*value));
    }
  }

  OperationMatch match = spec.Match(method, raw_path);
  if (match.kind != OperationMatch::Kind::kFound) {
    if (match.operation != nullptr) Fail("operation set without a match", std::string(raw_path));
    return 0;
  }
  const Operation& op = *match.operation;
  ApiRequest request{match.path_params, query, headers, body};
  ValidatedRequest validated;
  if (std::optional<ApiError> error = ValidateRequest(op, request, &validated)) {
    CheckError(*error);
  } else {
    if (!validated.params.is_object()) Fail("params not an object", op.operation_id);
    for (auto it = validated.params.begin(); it != validated.params.end(); ++it) {
      if (op.FindParameter(it.key()) == nullptr) Fail("undeclared parameter accepted", it.key());
    }
    if (validated.body) (void)validated.body->dump();
  }

  // The same bytes as a response of one declared status (picked by the body
  // length, so the fuzzer can steer it).
  std::string content_type;
  for (const auto& [name, value] : headers) {
    if (name == "Content-Type") content_type = value;
  }
  if (!op.responses.empty()) {
    auto it = op.responses.begin();
    std::advance(it, static_cast<long>(body.size() % op.responses.size()));
    (void)ValidateResponse(op, it->first, content_type, body);
  }
  return 0;
}
