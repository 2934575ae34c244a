// #__PURE__
x: 1
