//! A generated Node.js service of any length, written the way real ones are (Express routes, a
//! pool, a cache, emitters, timers), with the leaks those services really have. Benchmarks lint
//! it; a test keeps it honest (it parses, and it has findings).

#![allow(dead_code)]

const HEADER: &str = "'use strict';
const express = require('express');
const { EventEmitter } = require('events');
const mysql = require('mysql2/promise');

const app = express();
const pool = mysql.createPool({ host: 'db', user: 'app', connectionLimit: 10 });
const audit = (user, action) => console.log(user, action);
";

/// One block of about 50 lines; `{i}` makes its names unique.
const BLOCK: &str = "
// ---- orders{i} ----
const cache{i} = new Map();
const bus{i} = new EventEmitter();
const stats{i} = { hits: 0, misses: 0 };

class OrderService{i} {
  constructor(db) {
    this.db = db;
    this.pending = new Set();
  }

  async find(id) {
    const conn = await this.db.getConnection();
    try {
      const [rows] = await conn.query('SELECT * FROM orders WHERE id = ?', [id]);
      return rows[0];
    } finally {
      conn.release();
    }
  }

  async update(id, patch) {
    const conn = await this.db.getConnection();
    await conn.query('UPDATE orders SET ? WHERE id = ?', [patch, id]);
    conn.release();
  }
}

const service{i} = new OrderService{i}(pool);

app.get('/orders{i}/:id', async (req, res) => {
  const key = `order:${req.params.id}`;
  if (cache{i}.has(key)) {
    stats{i}.hits += 1;
    return res.json(cache{i}.get(key));
  }
  stats{i}.misses += 1;
  const order = await service{i}.find(req.params.id);
  cache{i}.set(key, order);
  bus{i}.on('invalidate', () => cache{i}.delete(key));
  res.json(order);
});

app.post('/orders{i}/:id', async (req, res) => {
  await service{i}.update(req.params.id, req.body);
  setTimeout(() => audit(req.body.user, 'update'), 60_000);
  res.sendStatus(204);
});

app.get('/orders{i}/stream', (req, res) => {
  const timer = setInterval(() => res.write(`data: ${Date.now()}\\n\\n`), 15_000);
  req.on('close', () => clearInterval(timer));
});
";

/// A service of at least `lines` lines.
pub fn service_source(lines: usize) -> String {
    let mut source = String::from(HEADER);
    let mut i = 0;
    while source.lines().count() < lines {
        source.push_str(&BLOCK.replace("{i}", &i.to_string()));
        i += 1;
    }
    source.push_str("\napp.listen(3000);\n");
    source
}
