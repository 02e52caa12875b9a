-- An SQLite workout whose output must be identical under `vireo exec` and natively: tables and
-- indexes, a recursive CTE, joins, aggregates, window functions, JSON, dates, blobs, triggers,
-- views, transactions and savepoints.
.headers on
.mode list
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, category INTEGER);
CREATE TABLE category(id INTEGER PRIMARY KEY, label TEXT);
CREATE TABLE audit(item INTEGER, note TEXT);
CREATE TRIGGER item_price AFTER UPDATE OF price ON item
  BEGIN INSERT INTO audit VALUES (new.id, printf('%.2f->%.2f', old.price, new.price)); END;
INSERT INTO category VALUES (0, 'zero'), (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four');
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 30000)
INSERT INTO item SELECT x, 'item' || (x * 7919 % 3001), (x % 997) * 1.25, x % 5 FROM n;
CREATE INDEX item_name ON item(name);
CREATE VIEW expensive AS SELECT * FROM item WHERE price > 1200;
SELECT count(*), printf('%.2f', sum(price)), min(name), max(name) FROM item;
SELECT c.label, count(*) AS n, printf('%.3f', avg(i.price)) AS mean
  FROM item i JOIN category c ON c.id = i.category GROUP BY c.label ORDER BY c.label;
SELECT name, count(*) FROM item GROUP BY name HAVING count(*) > 10 ORDER BY 2 DESC, 1 LIMIT 3;
SELECT id, price, rank() OVER (ORDER BY price DESC, id) AS r,
       sum(price) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS running
  FROM item WHERE id <= 6;
SELECT count(*) FROM expensive;
BEGIN;
UPDATE item SET price = price * 2 WHERE id IN (1, 2, 3);
SAVEPOINT s;
DELETE FROM item WHERE id > 100;
ROLLBACK TO s;
RELEASE s;
COMMIT;
SELECT count(*) FROM item;
SELECT * FROM audit ORDER BY item;
SELECT json_object('a', 1, 'b', json_array(1, 2, 'x')), json_extract('{"k":[10,20,30]}', '$.k[1]');
SELECT date('2000-01-31', '+1 month'), strftime('%j %w', '2024-02-29'), julianday('2000-01-01') - julianday('1999-01-01');
SELECT hex(zeroblob(4)), length(randomblob(16)), upper('straße'), unicode('€'), char(9731);
WITH RECURSIVE fib(a, b, n) AS (SELECT 0, 1, 0 UNION ALL SELECT b, a + b, n + 1 FROM fib WHERE n < 90)
SELECT max(a) FROM fib;
SELECT typeof(1), typeof(1.5), typeof('x'), typeof(x'00'), typeof(NULL), 9223372036854775807 + 0, 7 / 2, 7 % 3, 7.0 / 2;
PRAGMA integrity_check;
