// Result<T>: a value or an Error with context, shaped like std::expected.
// Host and set-up failures travel as values; callers propagate them with TRY.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace vireo {

// An error says what failed in words a user can act on: which file, which call, which errno.
class Error {
public:
    static Error message(std::string text) { return Error(std::move(text), 0); }
    // An error from a failed system call; appends strerror(code).
    static Error from_errno(std::string context, int code = errno)
    {
        return Error(std::move(context) + ": " + std::strerror(code), code);
    }

    const std::string& text() const { return m_text; }
    int code() const { return m_code; }

    // Adds outer context in front: "loading kernel: open foo: No such file".
    Error with_context(const std::string& outer) const { return Error(outer + ": " + m_text, m_code); }

private:
    Error(std::string text, int code) : m_text(std::move(text)), m_code(code) {}
    std::string m_text;
    int m_code;
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T release_value() { return std::get<0>(std::move(m_v)); }
    const Error& error() const { return std::get<1>(m_v); }
    Error release_error() { return std::get<1>(std::move(m_v)); }

    T* operator->() { return &value(); }
    T& operator*() { return value(); }

private:
    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    void release_value() {}
    const Error& error() const { return m_error; }
    Error release_error() { return std::move(m_error); }

private:
    Error m_error = Error::message("");
    bool m_ok = true;
};

}  // namespace vireo

// TRY(expr): evaluates a Result; returns its error from the enclosing function, else yields the value.
// Uses a GCC/Clang statement expression, as SerenityOS does.
#define TRY(expr)                                         \
    ({                                                    \
        auto _vireo_try = (expr);                         \
        if (!_vireo_try.ok())                             \
            return _vireo_try.release_error();            \
        _vireo_try.release_value();                       \
    })
