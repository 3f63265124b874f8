-- 008_recipes: the number is reserved for detector recipes stored on the
-- server (their own migration replaces this file); nothing here yet.
SELECT 1;
