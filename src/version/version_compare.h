// Package version ordering, written to match the package managers exactly:
//   - Debian (dpkg): [epoch:]upstream[-revision]; '~' sorts before anything,
//     even the end of the string; letters before other symbols.
//   - RPM (rpmvercmp + EVR): [epoch:]version[-release]; '~' sorts before the
//     end, '^' after the end but before anything else; alphanumeric segments,
//     digits beat letters; non-alphanumerics are separators only.
//   - Generic: the RPM segment rule, used for pip/npm-like dotted versions.
// These are tested against python3-apt's apt_pkg.version_compare and
// python3-rpm's labelCompare (tests/version/). Return <0, 0 or >0.
// Pure functions, no allocation.
#pragma once

#include <optional>
#include <string_view>

namespace warden {

int CompareDebianVersions(std::string_view a, std::string_view b);
// Compares two full RPM EVR strings ("1:2.3-4.el9"); a missing epoch is 0.
int CompareRpmVersions(std::string_view a, std::string_view b);
// rpmvercmp on one segment (a version or a release alone).
int RpmVerCmp(std::string_view a, std::string_view b);
int CompareGenericVersions(std::string_view a, std::string_view b);

enum class VersionScheme { kDebian, kRpm, kGeneric };
std::optional<VersionScheme> ParseVersionScheme(
    std::string_view name);  // "dpkg"/"deb", "rpm"/"rhel", "generic"
int CompareVersions(VersionScheme scheme, std::string_view a, std::string_view b);

}  // namespace warden
