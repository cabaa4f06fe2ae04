#include "gateway/auth/scopes.h"

#include <cctype>

namespace duet::gateway {
namespace {

constexpr uint8_t kAll = kCreate | kRead | kUpdate | kDelete | kSearch;

// v2 letters, in the order SMART requires them ("cruds").
uint8_t V2Permissions(std::string_view letters) {
  static constexpr std::string_view kOrder = "cruds";
  static constexpr uint8_t kBits[] = {kCreate, kRead, kUpdate, kDelete, kSearch};
  uint8_t bits = 0;
  size_t next = 0;
  for (char letter : letters) {
    size_t at = kOrder.find(letter, next);
    if (at == std::string_view::npos) return 0;
    bits |= kBits[at];
    next = at + 1;
  }
  return bits;
}

bool IsResourceTypeName(std::string_view name) {
  if (name == "*") return true;
  if (name.empty() || !std::isupper(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

StatusOr<Scope> ParseScope(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return InvalidArgumentError("scope \"" + std::string(text) + "\": " + why);
  };
  constexpr std::string_view kPrefix = "system/";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return fail("backend services use system/ scopes, e.g. system/CarePlan.rs");
  }
  std::string_view rest = text.substr(kPrefix.size());
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return fail("expected system/<Type>.<access>");
  Scope scope;
  scope.text = std::string(text);
  scope.resource_type = std::string(rest.substr(0, dot));
  if (!IsResourceTypeName(scope.resource_type)) return fail("not a resource type or *");
  std::string_view access = rest.substr(dot + 1);
  if (access == "read") {
    scope.permissions = kRead | kSearch;
  } else if (access == "write") {
    scope.permissions = kCreate | kUpdate | kDelete;
  } else if (access == "*") {
    scope.permissions = kAll;
  } else {
    scope.permissions = V2Permissions(access);
  }
  if (scope.permissions == 0) {
    return fail("access must be read, write, * or v2 letters in the order c r u d s");
  }
  return scope;
}

StatusOr<std::vector<Scope>> ParseScopes(std::string_view text) {
  std::vector<Scope> scopes;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) {
      DUET_ASSIGN_OR_RETURN(Scope scope, ParseScope(text.substr(start, end - start)));
      scopes.push_back(std::move(scope));
    }
    start = end + 1;
  }
  if (scopes.empty()) return InvalidArgumentError("no scope given");
  return scopes;
}

bool Permits(const std::vector<Scope>& granted, std::string_view resource_type,
             Permission permission) {
  for (const Scope& scope : granted) {
    bool type_matches = scope.resource_type == "*" || scope.resource_type == resource_type;
    if (type_matches && (scope.permissions & permission) != 0) return true;
  }
  return false;
}

bool Covers(const std::vector<Scope>& allowed, const Scope& requested) {
  uint8_t missing = requested.permissions;
  for (const Scope& scope : allowed) {
    if (scope.resource_type == "*" || scope.resource_type == requested.resource_type) {
      missing &= static_cast<uint8_t>(~scope.permissions);
    }
  }
  return missing == 0;
}

}  // namespace duet::gateway
