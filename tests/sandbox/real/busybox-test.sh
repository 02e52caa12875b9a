# A BusyBox workout, run by `busybox sh` inside a root that holds only busybox: the applets are
# installed as symlinks first (--install), so every command below is a fork and an exec of
# /bin/busybox through the sandbox. Its output is compared with busybox-test.expected.
set -e
/bin/busybox --install -s /bin
export PATH=/bin
cd /
mkdir -p /work/sub
cd /work

# files, pipelines, redirections
printf 'banana\napple\ncherry\napple\ndate\n' > fruits.txt
sort fruits.txt | uniq -c | sort -rn | head -2
grep -c a fruits.txt
sed -n 's/^c\(.*\)/C\1/p' fruits.txt
awk '{ n += length($0) } END { print "chars", n }' fruits.txt
cut -c1-3 fruits.txt | tr 'a-z' 'A-Z' | paste -s -d, -
wc -l < fruits.txt
cat fruits.txt | xargs echo | tr ' ' '+'
tail -n 2 fruits.txt > last.txt && cat last.txt
cmp fruits.txt fruits.txt && echo same
diff fruits.txt last.txt > /dev/null || echo differ

# the shell itself: functions, loops, arithmetic, here-documents, substitutions, subshells
square() { echo $(( $1 * $1 )); }
total=0
for i in 1 2 3 4 5; do total=$(( total + $(square $i) )); done
echo "sum of squares: $total"
n=0; while [ $n -lt 3 ]; do n=$((n + 1)); done; echo "n=$n"
cat <<END
here-doc with $(echo substitution) and $((6 * 7))
END
( cd sub && pwd )
pwd
x=outer; ( x=inner; echo "in: $x" ); echo "out: $x"
case "apple" in a*) echo "starts with a" ;; *) echo no ;; esac
[ -f fruits.txt ] && [ ! -d fruits.txt ] && echo "test works"
false || echo "exit status $?"
sh -c 'exit 3' || echo "child said $?"

# background jobs and wait
sleep 0.1 & p1=$!
echo job-one > job1.txt & p2=$!
wait $p1 $p2
cat job1.txt

# archives and checksums
seq 1 1000 > numbers.txt
md5sum numbers.txt
sha256sum numbers.txt | cut -c1-16
tar -cf /tmp.tar fruits.txt numbers.txt sub
mkdir /unpacked && cd /unpacked && tar -xf /tmp.tar && ls && cd /work
gzip -c numbers.txt > numbers.gz && gunzip -c numbers.gz | tail -1
find / -name '*.txt' | sort | head -4
ls -l /work/fruits.txt | awk '{ print $1, $5 }'
ln -s fruits.txt link && readlink link && cat link | head -1
du -s /unpacked | cut -f2
stat -c '%s %F' numbers.txt
date -u -d @86400 '+%Y-%m-%d %H:%M'
expr 7 \* 6
basename /a/b/c.txt .txt; dirname /a/b/c.txt
echo done
