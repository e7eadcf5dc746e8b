SELECT 'not reversible';
