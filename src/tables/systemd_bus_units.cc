// ListUnitsOverBus: systemd's unit list over D-Bus through libsystemd's sd-bus,
// loaded with dlopen (see systemd_unit_sources.h for why). Every bus call has
// a 5-second timeout so a wedged systemd cannot hang a query. The library
// handle is kept for the life of the process (never dlclose'd: sd-bus keeps
// thread-local state).
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "tables/systemd_unit_sources.h"

#if __has_include(<systemd/sd-bus.h>)
#include <systemd/sd-bus.h>
#define WARDEN_HAVE_SD_BUS 1
#endif

namespace warden {

std::string SystemdUnitObjectPath(std::string_view unit_id) {
  static const char kHex[] = "0123456789abcdef";
  std::string path = "/org/freedesktop/systemd1/unit/";
  if (unit_id.empty()) return path + "_";
  for (unsigned char c : unit_id) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      path.push_back(static_cast<char>(c));
    } else {
      path.push_back('_');
      path.push_back(kHex[c >> 4]);
      path.push_back(kHex[c & 0xf]);
    }
  }
  return path;
}

#ifndef WARDEN_HAVE_SD_BUS

Result<std::vector<SystemdUnit>> ListUnitsOverBus(const SystemdUnitProperties&,
                                                  const std::function<bool()>&) {
  return Unavailable("systemd_units: Warden was built without the sd-bus header (libsystemd-dev)");
}

#else

namespace {

constexpr const char* kDestination = "org.freedesktop.systemd1";
constexpr uint64_t kCallTimeoutUsec = uint64_t{5} * 1000 * 1000;

// The sd-bus entry points this file uses, resolved from libsystemd.so.0.
struct SdBusApi {
  decltype(&sd_bus_open_system) open_system = nullptr;
  decltype(&sd_bus_flush_close_unref) close_unref = nullptr;
  decltype(&sd_bus_set_method_call_timeout) set_method_call_timeout = nullptr;  // optional (v240+)
  decltype(&sd_bus_call_method) call_method = nullptr;
  decltype(&sd_bus_message_enter_container) enter_container = nullptr;
  decltype(&sd_bus_message_exit_container) exit_container = nullptr;
  decltype(&sd_bus_message_read) read = nullptr;
  decltype(&sd_bus_message_unref) message_unref = nullptr;
  decltype(&sd_bus_get_property_string) get_property_string = nullptr;
  decltype(&sd_bus_error_free) error_free = nullptr;
};

template <typename Fn>
bool Resolve(void* lib, const char* name, Fn* out) {
  *out = reinterpret_cast<Fn>(::dlsym(lib, name));
  return *out != nullptr;
}

// The API, or nullptr when libsystemd cannot be loaded. Loaded once.
const SdBusApi* LoadSdBus() {
  static SdBusApi api;
  static bool loaded = false;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) return;
    loaded = Resolve(lib, "sd_bus_open_system", &api.open_system) &&
             Resolve(lib, "sd_bus_flush_close_unref", &api.close_unref) &&
             Resolve(lib, "sd_bus_call_method", &api.call_method) &&
             Resolve(lib, "sd_bus_message_enter_container", &api.enter_container) &&
             Resolve(lib, "sd_bus_message_exit_container", &api.exit_container) &&
             Resolve(lib, "sd_bus_message_read", &api.read) &&
             Resolve(lib, "sd_bus_message_unref", &api.message_unref) &&
             Resolve(lib, "sd_bus_get_property_string", &api.get_property_string) &&
             Resolve(lib, "sd_bus_error_free", &api.error_free);
    Resolve(lib, "sd_bus_set_method_call_timeout", &api.set_method_call_timeout);
  });
  return loaded ? &api : nullptr;
}

std::string BusErrorText(const sd_bus_error& error, int r) {
  if (error.message != nullptr) return error.message;
  return std::strerror(r < 0 ? -r : r);
}

// A string property of a unit; nullopt when the unit has no such property
// (e.g. User on a socket) or the call failed.
std::optional<std::string> UnitProperty(const SdBusApi& api, sd_bus* bus, const std::string& path,
                                        const char* interface, const char* name) {
  sd_bus_error error{};  // SD_BUS_ERROR_NULL, without its C99 compound literal
  char* value = nullptr;
  int r = api.get_property_string(bus, kDestination, path.c_str(), interface, name, &error, &value);
  api.error_free(&error);
  if (r < 0 || value == nullptr) return std::nullopt;
  std::string out(value);
  std::free(value);
  return out;
}

bool EndsWithText(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<std::vector<SystemdUnit>> ListUnitsOverBus(const SystemdUnitProperties& wanted,
                                                  const std::function<bool()>& cancelled) {
  const SdBusApi* api = LoadSdBus();
  if (api == nullptr)
    return Unavailable("systemd_units: cannot load libsystemd.so.0 to talk to systemd over D-Bus");

  sd_bus* raw_bus = nullptr;
  int r = api->open_system(&raw_bus);
  if (r < 0)
    return Unavailable(std::string("systemd_units: cannot connect to the system bus: ") +
                       std::strerror(-r));
  std::unique_ptr<sd_bus, decltype(api->close_unref)> bus(raw_bus, api->close_unref);
  if (api->set_method_call_timeout != nullptr)
    api->set_method_call_timeout(bus.get(), kCallTimeoutUsec);

  sd_bus_error error{};  // SD_BUS_ERROR_NULL, without its C99 compound literal
  sd_bus_message* raw_reply = nullptr;
  r = api->call_method(bus.get(), kDestination, "/org/freedesktop/systemd1",
                       "org.freedesktop.systemd1.Manager", "ListUnits", &error, &raw_reply, "");
  if (r < 0) {
    std::string why = BusErrorText(error, r);
    api->error_free(&error);
    return Unavailable("systemd_units: ListUnits failed: " + why);
  }
  std::unique_ptr<sd_bus_message, decltype(api->message_unref)> reply(raw_reply,
                                                                      api->message_unref);

  std::vector<SystemdUnit> units;
  r = api->enter_container(reply.get(), SD_BUS_TYPE_ARRAY, "(ssssssouso)");
  if (r < 0) return Internal("systemd_units: unexpected ListUnits reply");
  for (;;) {
    const char *id, *description, *load_state, *active_state, *sub_state, *following, *path,
        *job_type, *job_path;
    uint32_t job_id = 0;
    r = api->read(reply.get(), "(ssssssouso)", &id, &description, &load_state, &active_state,
                  &sub_state, &following, &path, &job_id, &job_type, &job_path);
    if (r < 0) return Internal("systemd_units: cannot parse the ListUnits reply");
    if (r == 0) break;
    SystemdUnit unit;
    unit.id = id;
    unit.description = description;
    unit.load_state = load_state;
    unit.active_state = active_state;
    unit.sub_state = sub_state;
    unit.following = following;
    unit.object_path = path;
    unit.job_id = job_id;
    unit.job_type = job_type;
    unit.job_path = job_path;
    units.push_back(std::move(unit));
  }
  api->exit_container(reply.get());

  for (SystemdUnit& unit : units) {
    if (cancelled && cancelled()) break;
    const char* kUnit = "org.freedesktop.systemd1.Unit";
    if (wanted.unit_file_state)
      unit.unit_file_state =
          UnitProperty(*api, bus.get(), unit.object_path, kUnit, "UnitFileState");
    if (wanted.fragment_path)
      unit.fragment_path = UnitProperty(*api, bus.get(), unit.object_path, kUnit, "FragmentPath");
    if (wanted.source_path)
      unit.source_path = UnitProperty(*api, bus.get(), unit.object_path, kUnit, "SourcePath");
    if (wanted.user && EndsWithText(unit.id, ".service"))
      unit.user = UnitProperty(*api, bus.get(), unit.object_path,
                               "org.freedesktop.systemd1.Service", "User");
  }
  return units;
}

#endif  // WARDEN_HAVE_SD_BUS

}  // namespace warden
