-- A Lua workout whose output must be identical under `vireo exec` and natively: the language
-- (closures, coroutines, metatables, goto, integer/float arithmetic), the string library
-- (patterns, format, pack), tables, utf8, os.date in UTC, pcall/error, and io on stdin/stdout.
local out = {}
local function say(...)
    local parts = table.pack(...)
    for i = 1, parts.n do parts[i] = tostring(parts[i]) end
    out[#out + 1] = table.concat(parts, " ", 1, parts.n)
end

-- integers, floats, conversions
say(7 // 2, 7 % -3, -7 // 2, 7 / 2, 2 ^ 10, math.maxinteger, math.mininteger, 1e308 * 10, -(0/0) ~= -(0/0))
say(string.format("%.17g %.3f %5.1e %x %X %o %q", math.pi, 1 / 3, 12345.678, 255, 48879, 8, "a\n\0b"))
say(math.tointeger(3.0), math.type(1), math.type(1.0), math.type("1"), 3 | 5, 3 & 5, 3 ~ 5, ~0, 1 << 62, 256 >> 4)
say(tostring(1e15), tostring(1e16), tostring(-0.0), 0.1 + 0.2 == 0.3, math.floor(-3.5), math.ceil(-3.5), math.fmod(7, -3))
say(string.format("%.6f %.6f %.6f %.6f", math.sin(1), math.exp(2), math.log(10), math.sqrt(2)))

-- strings and patterns
local text = "The quick brown fox jumps over the lazy dog"
local words = {}
for w in text:gmatch("%a+") do words[#words + 1] = w:lower() end
table.sort(words)
say(table.concat(words, ","))
say(text:gsub("o", "0"), text:find("fox"), text:match("(%a+) dog"), ("x"):rep(5, "-"), text:byte(1, 3))
say(string.pack("<i4d", 42, 1.5):byte(1, -1))
say(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), #"häll€")

-- tables, metatables, closures
local Vec = {}
Vec.__index = Vec
Vec.__add = function(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, Vec) end
Vec.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
local v = setmetatable({x = 1, y = 2}, Vec) + setmetatable({x = 10, y = 20}, Vec)
say(tostring(v))
local function counter()
    local n = 0
    return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
c1(); c1()
say(c1(), c2())

-- coroutines
local gen = coroutine.wrap(function()
    for i = 1, 5 do coroutine.yield(i * i) end
end)
local squares = {}
for _ = 1, 5 do squares[#squares + 1] = gen() end
say(table.concat(squares, " "))

-- errors
local ok, err = pcall(function() error({code = 42}) end)
say(ok, type(err), err.code)
ok, err = pcall(function() return nil + 1 end)
say(ok, (err:gsub("^.-:%d+: ", "")))

-- goto, a sieve, a sort of many numbers
local limit, sieve, count = 100000, {}, 0
for i = 2, limit do
    if sieve[i] then goto continue end
    count = count + 1
    for j = i * i, limit, i do sieve[j] = true end
    ::continue::
end
say("primes", count)
local seed, nums = 12345, {}
for i = 1, 20000 do
    seed = (seed * 1103515245 + 12345) % 2147483648
    nums[i] = seed
end
table.sort(nums)
say("sorted", nums[1], nums[10000], nums[20000])

-- dates in UTC do not depend on the host's zone
say(os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365), os.time({year = 2000, month = 1, day = 1, hour = 12}) ~= nil)

-- stdin to stdout
local lines = 0
for line in io.lines() do lines = lines + #line end
say("stdin chars", lines)
io.write(table.concat(out, "\n"), "\n")
